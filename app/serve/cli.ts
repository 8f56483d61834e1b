/**
 * `npm run serve`: browser mode from the command line (built to `out/serve/cli.js` by
 * `app/serve/vite.config.ts`; run with plain Node: `node out/serve/cli.js --port 0 --data-dir ./.data`).
 *
 * Prints one line on stdout, `Atomiton is running at http://127.0.0.1:<port>/?token=<token>` (the URL to
 * open; scripts and the end-to-end tests read it), logs JSON lines (pino) on stderr, and on SIGINT or
 * SIGTERM closes the sockets, disposes the host (plugins flush) and prints `Atomiton stopped`, exiting 0.
 * A second signal while stopping exits at once (code 130). Exit code 2 for a bad command line, 1 if the
 * server cannot start (e.g. the port is taken, or the renderer is not built).
 */
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { pino } from 'pino'
import { createLogger } from '@atomiton/core/host/logger'
import { version } from '../../package.json'
import { parseCliArgs, USAGE, UsageError, type CliOptions } from './args'
import { startServer } from './server'
import { aliasesAt } from '../../aliases'
import { pluginProcessEntry } from '../../plugin-sdk/src/testing/plugin-process'
import { repoRootFrom } from '../../tools/repo-root'

/** `out/renderer`, next to the folder of the built `out/serve/cli.js`. */
function defaultRendererDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', 'renderer')
}

/**
 * The entry of installed packages' processes (plugin-sdk/src/isolation/entry.ts, the SDK and zod bundled in
 * one file), built on first start and reused while the sources are unchanged. Browser mode runs from the
 * repository (`out/serve/cli.js`), found above this built file.
 */
function pluginProcessEntryFile(): Promise<string> {
  const root = repoRootFrom(import.meta.url)
  return pluginProcessEntry({ root, aliases: aliasesAt(root) })
}

/** How soon after the first signal its re-raised copy arrives (see `stop`). */
const ECHO_WINDOW_MS = 1000

async function main(argv: readonly string[]): Promise<void> {
  let options: CliOptions
  try {
    options = parseCliArgs(argv)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    process.stderr.write(`${error.message}\n\n${USAGE}`)
    process.exit(2)
  }
  if (options.help) {
    process.stdout.write(USAGE)
    return
  }

  const logger = createLogger({ name: 'atomiton-serve', level: options.logLevel, destination: pino.destination({ dest: 2, sync: true }) })
  let server: Awaited<ReturnType<typeof startServer>>
  try {
    server = await startServer({
      port: options.port,
      dataDir: options.dataDir,
      rendererDir: options.rendererDir ?? defaultRendererDir(),
      logger,
      runtime: { appVersion: version },
      safeMode: options.safeMode,
      // Each installed package in its own process, under Node's permission model (issue 9).
      pluginProcess: { entry: await pluginProcessEntryFile() },
    })
  } catch (error) {
    logger.error({ err: error }, 'Browser mode could not start')
    process.stderr.write(`Atomiton could not start: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  }

  let stopping: { readonly signal: NodeJS.Signals; readonly at: number; echoSeen: boolean } | undefined
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // conf's atomic writer (when-exit) cleans up on the first signal and then raises it again, once: that
      // echo, arriving at once, is not a person's second Ctrl+C.
      if (signal === stopping.signal && !stopping.echoSeen && Date.now() - stopping.at < ECHO_WINDOW_MS) {
        stopping.echoSeen = true
        return
      }
      process.stderr.write(`${signal} again: exiting without finishing the shutdown\n`)
      process.exit(130)
    }
    stopping = { signal, at: Date.now(), echoSeen: false }
    logger.info({ signal }, 'Stopping')
    server.close().then(
      () => {
        process.stdout.write('Atomiton stopped\n')
        process.exit(0)
      },
      (error: unknown) => {
        logger.error({ err: error }, 'The shutdown failed')
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)

  process.stdout.write(`Atomiton is running at ${server.url}\n`)
  process.stdout.write(`Data: ${options.dataDir}\nPress Ctrl+C to stop.\n`)
  if (options.safeMode) process.stdout.write('Safe mode: only the required plugins are running; no installed plugin package was loaded.\n')
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(1)
})
