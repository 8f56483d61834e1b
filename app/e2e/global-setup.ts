/**
 * vitest globalSetup of the `e2e` project: finds the Chromium to drive once (a system browser, or the one
 * bundled in `@sparticuz/chromium`, unpacked on first use: see tools/chromium/find-chromium.ts) and hands it
 * to the test files, then builds the renderer once before any worker starts; test files only read it.
 */
import type { TestProject } from 'vitest/node'
import { findChromium, type ChromiumLaunch } from '../../tools/chromium/find-chromium'
import { ensureRendererBuilt } from './support/build-renderer'

declare module 'vitest' {
  export interface ProvidedContext {
    chromium: ChromiumLaunch
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const chromium = await findChromium()
  console.log(`e2e: Chromium from ${chromium.source}: ${chromium.executablePath}`)
  project.provide('chromium', chromium)
  await ensureRendererBuilt()
}
