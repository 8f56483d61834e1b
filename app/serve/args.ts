/**
 * The command line of browser mode (`node out/serve/cli.js [options]`), parsed with Node's own
 * `util.parseArgs` (strict: unknown options and stray arguments are errors).
 */
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'

export const USAGE = `Usage: node out/serve/cli.js [options]

Serves the Atomiton app to a browser on 127.0.0.1 (no Electron needed).

Options:
  --port <n>            TCP port, 0 for a free one (default: 0)
  --data-dir <dir>      where the app keeps its data (default: ./.data, created if missing)
  --renderer-dir <dir>  the built renderer (default: out/renderer next to this script)
  --log-level <level>   trace, debug, info, warn, error or silent (default: info; logs go to stderr)
  --safe-mode           start the required plugins only and load no installed plugin package
  -h, --help            show this help
`

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'silent'] as const
export type CliLogLevel = (typeof LOG_LEVELS)[number]

export interface CliOptions {
  readonly port: number
  /** Absolute. */
  readonly dataDir: string
  /** Absolute, or undefined for the default. */
  readonly rendererDir: string | undefined
  readonly logLevel: CliLogLevel
  readonly safeMode: boolean
  readonly help: boolean
}

export class UsageError extends Error {
  override readonly name = 'UsageError'
}

function portOf(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 65_535) throw new UsageError(`--port must be an integer from 0 to 65535, got ${JSON.stringify(text)}`)
  return Number(text)
}

/** Parses the arguments after `node cli.js`; relative folders are resolved against `cwd`. Throws UsageError. */
export function parseCliArgs(args: readonly string[], cwd: string = process.cwd()): CliOptions {
  let values: { port?: string; 'data-dir'?: string; 'renderer-dir'?: string; 'log-level'?: string; 'safe-mode'?: boolean; help?: boolean }
  try {
    ;({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        'renderer-dir': { type: 'string' },
        'log-level': { type: 'string' },
        'safe-mode': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }))
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
  const logLevel = values['log-level'] ?? 'info'
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(logLevel)}`)
  }
  if (values['data-dir'] === '') throw new UsageError('--data-dir cannot be empty')
  return {
    port: values.port === undefined ? 0 : portOf(values.port),
    dataDir: resolve(cwd, values['data-dir'] ?? '.data'),
    rendererDir: values['renderer-dir'] ? resolve(cwd, values['renderer-dir']) : undefined,
    logLevel: logLevel as CliLogLevel,
    safeMode: values['safe-mode'] ?? false,
    help: values.help ?? false,
  }
}
