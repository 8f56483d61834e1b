/**
 * Browser mode for the end-to-end tests: the real server (`startServer` of `app/serve`, the code behind
 * `npm run serve`) on a free port with a temporary data folder, serving the real renderer build.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServer, type RunningServer, type StartServerOptions } from '../../serve/server'
import { builtRendererDir } from './build-renderer'

export interface DataDir {
  readonly path: string
  remove(): void
}

export function tempDataDir(): DataDir {
  const path = mkdtempSync(join(tmpdir(), 'atomiton-e2e-'))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}

/** What a test may change about the server (e.g. the page's grants). */
export type AppOptions = Pick<StartServerOptions, 'grants' | 'pluginProcess'>

/** Starts browser mode on port 0 over `dataDir`, building the renderer first if it is stale. */
export async function startApp(dataDir: string, options: AppOptions = {}): Promise<RunningServer> {
  const rendererDir = builtRendererDir()
  return startServer({ port: 0, dataDir, rendererDir, ...options })
}
