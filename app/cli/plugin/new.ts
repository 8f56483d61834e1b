/** `npx atomiton plugin new <dir> --id <id>`: writes a new plugin package (see scaffold.ts). */
import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PLUGIN_API_VERSION } from '@atomiton/core/plugin/api-version'
import type { CliIo } from '../command'
import { scaffoldFiles } from './scaffold'

const PLUGIN_ID = /^[a-z][a-zA-Z0-9]*$/

/** The checkout this CLI runs from: the first folder up from the built file that holds plugin-sdk/. */
export function repositoryRoot(from: string = fileURLToPath(import.meta.url)): string {
  for (let folder = dirname(from); ; folder = dirname(folder)) {
    if (existsSync(join(folder, 'plugin-sdk', 'package.json'))) return folder
    if (dirname(folder) === folder) throw new Error('Cannot find the Atomiton checkout (plugin-sdk/) above the CLI')
  }
}

async function versionOf(repoRoot: string, name: string): Promise<string> {
  return (JSON.parse(await readFile(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version
}

export async function newPackage(options: { readonly dir: string; readonly id: string }, io: CliIo): Promise<number> {
  if (!PLUGIN_ID.test(options.id) || options.id === 'rpc') {
    io.stderr.write(`--id "${options.id}" is not a plugin id: a lowercase letter, then letters and digits (it is also the RPC domain)\n`)
    return 2
  }
  const dir = resolve(io.cwd, options.dir)
  if (existsSync(dir) && (await readdir(dir)).length > 0) {
    io.stderr.write(`${dir} exists and is not empty\n`)
    return 1
  }
  const repoRoot = repositoryRoot()
  const [zod, vitest, vite, typescript, typesNode] = await Promise.all(['zod', 'vitest', 'vite', 'typescript', '@types/node'].map((name) => versionOf(repoRoot, name)))
  const versions = { zod: zod!, vitest: vitest!, vite: vite!, typescript: typescript!, typesNode: typesNode! }
  const files = scaffoldFiles({ id: options.id, repoRoot, versions, apiVersion: PLUGIN_API_VERSION })
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true })
    await writeFile(join(dir, path), content)
  }
  io.stdout.write(`Created the plugin package "${options.id}" in ${dir}\n\nNext:\n  cd ${dir}\n  npm install\n  npm test\n  npm pack\n`)
  return 0
}
