/**
 * `atomiton types --out <file.d.ts> [--data-dir <dir>] [--internal]`: boots a host with the built-in
 * plugins (and their persisted enabled state in the data dir), and writes the `.d.ts` of every procedure
 * and event they expose (`generateTypes`), so a script or another UI can type its client against what is
 * installed. Exit code 0 when written, 2 for a usage error, 1 when generating or writing failed.
 *
 * A standalone command module: the `atomiton` bin's dispatcher calls `typesCommand(argv.slice(3))`.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { AnyPluginDefinition } from '@atomiton/core/plugin/definition'
import { createHost } from '@atomiton/core/host/create-host'
import { createConfStoreFactory } from '@atomiton/core/host/stores'
import { generateTypes } from '@atomiton/core/types-gen/index'
import { builtinPlugins } from '@atomiton/plugins'

export const TYPES_USAGE = `Usage: atomiton types --out <file.d.ts> [--data-dir <dir>] [--internal]

Writes the TypeScript types of every procedure and event the plugins on this machine expose.
  --out <file.d.ts>   where to write them (folders are created)
  --data-dir <dir>    the app's data folder (its plugins' enabled state); default: none (every plugin on)
  --internal          include what only main and plugins may call (default: what a window may be granted)
`

export interface TypesCommandIo {
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
  /** The plugins to boot (default: the built-ins; the packages loader adds the installed ones). */
  readonly plugins?: readonly AnyPluginDefinition[]
}

const defaultIo: TypesCommandIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
}

export async function typesCommand(args: string[], io: TypesCommandIo = defaultIo): Promise<number> {
  let values: { out?: string; 'data-dir'?: string; internal?: boolean; help?: boolean }
  try {
    ;({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: { out: { type: 'string' }, 'data-dir': { type: 'string' }, internal: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }))
  } catch (error) {
    io.stderr(`${error instanceof Error ? error.message : String(error)}\n\n${TYPES_USAGE}`)
    return 2
  }
  if (values.help) {
    io.stdout(TYPES_USAGE)
    return 0
  }
  if (!values.out || !values.out.endsWith('.d.ts')) {
    io.stderr(`--out <file.d.ts> is required (a path ending in .d.ts)\n\n${TYPES_USAGE}`)
    return 2
  }
  const out = resolve(values.out)
  const dataDir = values['data-dir'] === undefined ? undefined : resolve(values['data-dir'])
  let host: Awaited<ReturnType<typeof createHost>> | undefined
  try {
    host = await createHost({
      plugins: io.plugins ?? builtinPlugins,
      ...(dataDir !== undefined ? { stores: createConfStoreFactory({ directory: dataDir }) } : {}),
      runtime: { mode: 'cli' },
    })
    const text = await generateTypes(host, { view: values.internal ? 'internal' : 'renderer' })
    await mkdir(dirname(out), { recursive: true })
    // Written beside and renamed: a reader never sees half a file.
    const temporary = `${out}.${process.pid}.tmp`
    await writeFile(temporary, text)
    await rename(temporary, out)
    io.stdout(`Wrote ${out}\n`)
    return 0
  } catch (error) {
    io.stderr(`atomiton types: ${error instanceof Error ? error.message : String(error)}\n`)
    return 1
  } finally {
    await host?.dispose()
  }
}
