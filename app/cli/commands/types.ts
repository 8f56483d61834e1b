/**
 * `npx atomiton types --out <file.d.ts> [--data-dir <dir>] [--internal]`: boots a host the way the app does
 * (the built-in plugins, and with a data dir its plugins' enabled state and the packages installed in
 * `<dir>/plugins/<id>/`, lent the host's own SDK and zod), and writes the `.d.ts` of every procedure and event
 * they expose (`generateTypes`), so a script or another UI can type its client against what is installed.
 * Exit code 0 when written, 2 for a usage error, 1 when generating or writing failed. A package that cannot
 * be loaded is named on stderr and left out (the types are still written, as the app would still start).
 */
import { mkdir, rename, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { AnyPluginDefinition } from '@atomiton/core/plugin/definition'
import { createHost } from '@atomiton/core/host/create-host'
import { createConfStoreFactory } from '@atomiton/core/host/stores'
import { generateTypes } from '@atomiton/core/types-gen/index'
import { builtinPlugins } from '@atomiton/plugins'
import { hostModules } from '../../common/host-modules'
import { UsageError, type CliIo, type Command } from '../command'

export const TYPES_USAGE = `Usage: npx atomiton types --out <file.d.ts> [--data-dir <dir>] [--internal]

Writes the TypeScript types of every procedure and event the plugins on this machine expose.
  --out <file.d.ts>   where to write them (folders are created)
  --data-dir <dir>    the app's data folder: its installed packages (<dir>/plugins/<id>/) and its plugins'
                      enabled state; default: none (the built-ins only, every one on)
  --internal          include what only main and plugins may call (default: what a window may be granted)
`

export interface TypesCommandOptions {
  /** The plugins to boot before the installed packages (default: the built-ins). */
  readonly plugins?: readonly AnyPluginDefinition[]
}

interface TypesArgs {
  readonly out: string
  readonly dataDir: string | undefined
  readonly internal: boolean
}

function parse(args: readonly string[], cwd: string): TypesArgs | 'help' {
  let values: { out?: string; 'data-dir'?: string; internal?: boolean; help?: boolean }
  try {
    ;({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: { out: { type: 'string' }, 'data-dir': { type: 'string' }, internal: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }))
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
  if (values.help) return 'help'
  if (!values.out || !values.out.endsWith('.d.ts')) throw new UsageError('--out <file.d.ts> is required (a path ending in .d.ts)')
  if (values['data-dir'] === '') throw new UsageError('--data-dir needs a folder')
  return {
    out: resolve(cwd, values.out),
    dataDir: values['data-dir'] === undefined ? undefined : resolve(cwd, values['data-dir']),
    internal: values.internal ?? false,
  }
}

/** The command, booting `options.plugins` (tests add their own) before the installed packages. */
export function createTypesCommand(options: TypesCommandOptions = {}): Command {
  return {
    summary: 'write the TypeScript types of what the installed plugins expose (a .d.ts)',
    usage: TYPES_USAGE,
    async run(args, io: CliIo): Promise<number> {
      const parsed = parse(args, io.cwd)
      if (parsed === 'help') {
        io.stdout.write(TYPES_USAGE)
        return 0
      }
      const { out, dataDir, internal } = parsed
      let host: Awaited<ReturnType<typeof createHost>> | undefined
      try {
        host = await createHost({
          plugins: options.plugins ?? builtinPlugins,
          // The same data folder layout as `npm run serve -- --data-dir` and `npx atomiton plugin ... --data-dir`.
          ...(dataDir !== undefined
            ? { stores: createConfStoreFactory({ directory: dataDir }), packages: { dir: join(dataDir, 'plugins'), hostModules }, isolation: 'in-process' as const }
            : {}),
          runtime: { mode: 'cli' },
        })
        // Installed packages start in the background: their types are written once every one is up (or refused).
        await host.packagesReady
        for (const skipped of host.packages?.unloaded() ?? []) {
          io.stderr.write(`atomiton types: package "${skipped.id}" could not be loaded (${skipped.error?.message ?? 'unknown'}); its types are left out\n`)
        }
        const text = await generateTypes(host, { view: internal ? 'internal' : 'renderer' })
        await mkdir(dirname(out), { recursive: true })
        // Written beside and renamed: a reader never sees half a file.
        const temporary = `${out}.${process.pid}.tmp`
        await writeFile(temporary, text)
        await rename(temporary, out)
        io.stdout.write(`Wrote ${out}\n`)
        return 0
      } catch (error) {
        io.stderr.write(`atomiton types: ${error instanceof Error ? error.message : String(error)}\n`)
        return 1
      } finally {
        await host?.dispose()
      }
    },
  }
}

export const typesCommand: Command = createTypesCommand()
