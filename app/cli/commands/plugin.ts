/**
 * `npx atomiton plugin <install|list|remove|new|dev> ...`: plugin packages from the command line, through
 * the same installer as the Settings view (works with the app closed; an app running on the data folder is asked
 * to apply an install or a removal at once: plugin/running-app.ts).
 */
import { parseArgs } from 'node:util'
import { UsageError, type CliIo, type Command } from '../command'
import { devPackage } from '../plugin/dev'
import { installPackage } from '../plugin/install'
import { listPackages } from '../plugin/list'
import { newPackage } from '../plugin/new'
import { removePackage } from '../plugin/remove'

const USAGE = `Usage:
  npx atomiton plugin install <folder|file.tgz> --data-dir <dir> [--yes]
      validates the package, shows the permissions it requests and asks before installing (--yes: approve)
  npx atomiton plugin list --data-dir <dir>
      the installed packages, with version, folder, permissions and any problem
  npx atomiton plugin remove <id> --data-dir <dir> [--delete-data]
      uninstalls a package; its stored data stays unless --delete-data

  npx atomiton plugin new <dir> --id <id>
      a new plugin package: one procedure, one event, settings, a test, a build script and a README
  npx atomiton plugin dev <dir> --data-dir <dir> [--yes]
      builds and installs the package, then rebuilds it on every change and reloads it in the running app

<dir> (--data-dir) is the app's data folder: \`npm run serve -- --data-dir <dir>\` (default ./.data), or <userData>/stores
for the desktop app. Packages live in <dir>/plugins/<id>/.
`

interface Parsed {
  readonly positionals: string[]
  readonly dataDir: string
  readonly yes: boolean
  readonly deleteData: boolean
}

function parse(args: readonly string[], allowed: readonly string[], positionals: number): Parsed {
  let parsed: ReturnType<typeof parseArgs<{ options: { 'data-dir': { type: 'string' }; yes: { type: 'boolean'; short: 'y' }; 'delete-data': { type: 'boolean' } }; allowPositionals: true; strict: true }>>
  try {
    parsed = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: true,
      options: { 'data-dir': { type: 'string' }, yes: { type: 'boolean', short: 'y' }, 'delete-data': { type: 'boolean' } },
    })
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
  const { values } = parsed
  for (const option of ['yes', 'delete-data'] as const) {
    if (values[option] !== undefined && !allowed.includes(option)) throw new UsageError(`--${option} does not apply here`)
  }
  if (!values['data-dir']) throw new UsageError('--data-dir <dir> is required')
  if (parsed.positionals.length !== positionals) throw new UsageError(`Expected ${positionals} argument(s), got ${parsed.positionals.length}`)
  return { positionals: parsed.positionals, dataDir: values['data-dir'], yes: values.yes ?? false, deleteData: values['delete-data'] ?? false }
}

export const pluginCommand: Command = {
  summary: 'install, list, remove, scaffold and develop plugin packages',
  usage: USAGE,
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const [sub, ...rest] = args
    if (sub === undefined || sub === '--help' || sub === '-h') {
      io.stdout.write(USAGE)
      return sub === undefined ? 2 : 0
    }
    switch (sub) {
      case 'install': {
        const { positionals, dataDir, yes } = parse(rest, ['yes'], 1)
        return installPackage({ source: positionals[0]!, dataDir, yes }, io)
      }
      case 'list':
        return listPackages({ dataDir: parse(rest, [], 0).dataDir }, io)
      case 'remove': {
        const { positionals, dataDir, deleteData } = parse(rest, ['delete-data'], 1)
        return removePackage({ id: positionals[0]!, dataDir, deleteData }, io)
      }
      case 'dev': {
        const { positionals, dataDir, yes } = parse(rest, ['yes'], 1)
        return devPackage({ dir: positionals[0]!, dataDir, yes }, io)
      }
      case 'new': {
        let parsed
        try {
          parsed = parseArgs({ args: [...rest], strict: true, allowPositionals: true, options: { id: { type: 'string' } } })
        } catch (error) {
          throw new UsageError(error instanceof Error ? error.message : String(error))
        }
        if (parsed.positionals.length !== 1 || !parsed.values.id) throw new UsageError('plugin new needs <dir> and --id <id>')
        return newPackage({ dir: parsed.positionals[0]!, id: parsed.values.id }, io)
      }
      default:
        throw new UsageError(`Unknown plugin command "${sub}"`)
    }
  },
}
