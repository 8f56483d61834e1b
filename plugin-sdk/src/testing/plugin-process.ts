/**
 * The entry of an isolated plugin's process, built for tests, the bench and development: one ESM file with
 * the SDK and zod bundled in (plugin-sdk/src/isolation/entry.ts), so the process starts with a single file
 * to read (the permission model lets it read that file, its package and nothing else of ours).
 *
 * Built with rolldown (the bundler vite itself runs on, already installed: one fast call, no config file),
 * once per source state: the output is named by a hash of the sources' modification times and reused.
 */
import { mkdir, readdir, rename, stat } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { rolldown } from 'rolldown'
import { aliasesAt } from '../../../aliases'

const SOURCES = ['core/src', 'plugin-sdk/src']

async function newest(path: string): Promise<number> {
  const stats = await stat(path)
  if (!stats.isDirectory()) return /\.test(-d)?\.ts$/.test(path) ? 0 : stats.mtimeMs
  let latest = 0
  for (const entry of await readdir(path)) latest = Math.max(latest, await newest(join(path, entry)))
  return latest
}

export interface PluginProcessEntryOptions {
  /** The repository (default: found from this module; a bundle of it, like the bench, says where). */
  readonly root?: string
  /** The repository's import aliases (default: aliases.ts's, under `root`). */
  readonly aliases?: ReadonlyArray<{ readonly find: RegExp; readonly replacement: string }>
}

let built: Promise<string> | undefined

/** The path of the built entry (built on first use, then reused while the sources are unchanged). */
export function pluginProcessEntry(options: PluginProcessEntryOptions = {}): Promise<string> {
  const root = options.root ?? resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..')
  const aliasList = options.aliases ?? aliasesAt(root)
  return (built ??= (async () => {
    const stamp = (await Promise.all(SOURCES.map((source) => newest(join(root, source))))).join(':')
    const hash = createHash('sha256').update(stamp).digest('hex').slice(0, 16)
    const dir = join(root, 'node_modules', '.cache', 'atomiton-plugin-process')
    const file = join(dir, `entry-${hash}.mjs`)
    if (await stat(file).then(() => true, () => false)) return file
    await mkdir(dir, { recursive: true })
    const bundle = await rolldown({
      input: join(root, 'plugin-sdk/src/isolation/entry.ts'),
      platform: 'node',
      logLevel: 'silent',
      plugins: [
        {
          name: 'atomiton-aliases',
          resolveId(source, importer) {
            for (const alias of aliasList) {
              if (alias.find.test(source)) return this.resolve(source.replace(alias.find, alias.replacement), importer, { skipSelf: true })
            }
            return null
          },
        },
      ],
    })
    const temporary = `${file}.${process.pid}.tmp`
    await bundle.write({ file: temporary, format: 'esm', codeSplitting: false })
    await bundle.close()
    // A rename is atomic: two test files building at once never see half a file.
    await rename(temporary, file)
    return file
  })())
}
