/**
 * Electron's main process entry (built by electron-vite to `out/main/index.js`, the package's `"main"`).
 * Only hands the real `electron` module to `startMain` (boot.ts), where every decision lives and is tested.
 *
 * Environment:
 * - `ATOMITON_LOG_LEVEL`: pino level (`info` by default; `debug` also logs every call with its duration).
 * - `ELECTRON_RENDERER_URL`: set by `electron-vite dev`; honoured only in an unpackaged app.
 *
 * Command line: `--safe-mode` starts the required plugins only and loads no installed package, so a package
 * that breaks start-up can be removed from the Settings view (or with `npx atomiton plugin remove`).
 *
 * `npm start` (`electron-vite preview`) needs the Electron binary, which the `electron` package fetches on
 * first launch on a normal machine (it cannot be fetched on the CI machines: there, `npm run serve` runs
 * the same host and renderer in a browser).
 */
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { app, BrowserWindow, ipcMain, net, protocol, session } from 'electron'
import { createLogger, type LogLevel } from '@atomiton/core/host/logger'
import { startMain } from './boot'
import { createElectronStoreFactory } from './electron-store-backend'

const LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']
const requested = process.env['ATOMITON_LOG_LEVEL'] as LogLevel | undefined
const logger = createLogger({ name: 'atomiton', level: requested && LEVELS.includes(requested) ? requested : 'info' })

startMain({
  app,
  BrowserWindow,
  ipcMain,
  protocol,
  session: () => session.defaultSession,
  fetchFile: (url) => net.fetch(url),
  mainDir: dirname(fileURLToPath(import.meta.url)),
  env: process.env,
  versions: process.versions,
  argv: process.argv,
  logger,
  createStores: (directory) => createElectronStoreFactory({ directory, logger }),
}).catch((error: unknown) => {
  logger.error({ err: error }, 'The app failed to start')
  app.exit(1)
})
