import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The aliases with their paths under `root` (a bundle of this file, whose `import.meta.url` is the bundle's, says where the repository is). */
export function aliasesAt(root: string): Array<{ find: RegExp; replacement: string }> {
  const at = (path: string): string => join(root, path)
  return [
    { find: /^@atomiton\/core$/, replacement: at('core/src/index.ts') },
    { find: /^@atomiton\/core\/(.*)$/, replacement: at('core/src/$1') },
    { find: /^@atomiton\/plugin-sdk$/, replacement: at('plugin-sdk/src/index.ts') },
    { find: /^@atomiton\/plugin-sdk\/testing$/, replacement: at('plugin-sdk/src/testing/index.ts') },
    { find: /^@atomiton\/plugin-sdk\/contracts$/, replacement: at('plugin-sdk/src/contracts/index.ts') },
    { find: /^@atomiton\/plugin-sdk\/contracts\/([a-z][a-zA-Z0-9]*)$/, replacement: at('plugin-sdk/src/contracts/$1.ts') },
    { find: /^@atomiton\/plugin-sdk\/sandbox$/, replacement: at('plugin-sdk/src/sandbox/index.ts') },
    { find: /^@atomiton\/plugin-sdk\/files$/, replacement: at('plugin-sdk/src/files/index.ts') },
    { find: /^@atomiton\/plugin-sdk\/process$/, replacement: at('plugin-sdk/src/process/index.ts') },
    { find: /^@atomiton\/plugins$/, replacement: at('plugins/index.ts') },
  ]
}

/** The import aliases of the repository, shared by vite, vitest and electron-vite (tsconfig.json mirrors them). */
export const aliases = aliasesAt(ownFolder())

/**
 * This file's folder. Under a browser-like test environment (the renderer's tests, happy-dom), where this
 * module arrives through the SDK's testing module, `import.meta.url` is not a file URL: there only
 * `aliasesAt` is used, and the folder is read from the URL's path.
 */
function ownFolder(): string {
  const folder = new URL('.', import.meta.url)
  return folder.protocol === 'file:' ? fileURLToPath(folder) : folder.pathname
}
