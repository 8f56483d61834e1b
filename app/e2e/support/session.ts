/**
 * One test file's world: browser mode on a temporary data folder and a Chromium, started once for the
 * file and torn down after it. `open()` loads the app with the server's token and waits until it is up.
 */
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, expect } from 'vitest'
import type { RunningServer } from '../../serve/server'
import { startApp, tempDataDir, type AppOptions, type DataDir } from './app'
import { launchBrowser, openPage, type WatchedPage } from './browser'
import { appReady } from './ui'

export interface Session {
  readonly browser: Browser
  readonly server: RunningServer
  readonly data: DataDir
  /** Opens the app (the server's URL, token included) and waits for it to be ready. */
  open(): Promise<WatchedPage>
  /** Stops the server and starts a new one on the same data folder (a new port and token). */
  restart(): Promise<RunningServer>
}

/** Registers beforeAll/afterAll hooks and returns the session they fill in. */
export function useSession(options: AppOptions = {}): Session {
  const state: { browser?: Browser; server?: RunningServer; data?: DataDir; pages: WatchedPage[] } = { pages: [] }
  beforeAll(async () => {
    state.data = tempDataDir()
    state.server = await startApp(state.data.path, options)
    state.browser = await launchBrowser()
  }, 180_000)
  afterAll(async () => {
    await state.browser?.close()
    await state.server?.close()
    state.data?.remove()
    // A person would have seen these: an uncaught error or a CSP violation fails the file.
    expect(state.pages.flatMap((page) => page.problems)).toEqual([])
  }, 30_000)
  return {
    get browser() {
      return state.browser!
    },
    get server() {
      return state.server!
    },
    get data() {
      return state.data!
    },
    async open() {
      const page = await openPage(state.browser!, state.server!.url)
      state.pages.push(page)
      await appReady(page.page)
      return page
    },
    async restart() {
      await state.server!.close()
      state.server = await startApp(state.data!.path, options)
      return state.server
    },
  }
}
