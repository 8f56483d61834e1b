import { fileURLToPath } from 'node:url'

/** The import aliases of the repository, shared by vite, vitest and electron-vite (tsconfig.json mirrors them). */
const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url))

export const aliases = [
  { find: /^@atomiton\/core$/, replacement: here('./core/src/index.ts') },
  { find: /^@atomiton\/core\/(.*)$/, replacement: here('./core/src/$1') },
  { find: /^@atomiton\/plugin-sdk$/, replacement: here('./plugin-sdk/src/index.ts') },
  { find: /^@atomiton\/plugin-sdk\/testing$/, replacement: here('./plugin-sdk/src/testing/index.ts') },
  { find: /^@atomiton\/plugin-sdk\/contracts$/, replacement: here('./plugin-sdk/src/contracts/index.ts') },
  { find: /^@atomiton\/plugin-sdk\/contracts\/([a-z][a-zA-Z0-9]*)$/, replacement: here('./plugin-sdk/src/contracts/$1.ts') },
  { find: /^@atomiton\/plugin-sdk\/sandbox$/, replacement: here('./plugin-sdk/src/sandbox/index.ts') },
  { find: /^@atomiton\/plugin-sdk\/files$/, replacement: here('./plugin-sdk/src/files/index.ts') },
  { find: /^@atomiton\/plugin-sdk\/process$/, replacement: here('./plugin-sdk/src/process/index.ts') },
  { find: /^@atomiton\/plugins$/, replacement: here('./plugins/index.ts') },
]
