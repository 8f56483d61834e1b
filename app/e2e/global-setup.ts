/**
 * vitest globalSetup of the `e2e` project: checks that a Chromium is there (with a message that says how
 * to get one, instead of a launch failure in every file), then builds the renderer once before any
 * worker starts; test files only read it.
 */
import { accessSync, constants } from 'node:fs'
import { CHROMIUM } from './support/browser'
import { ensureRendererBuilt } from './support/build-renderer'

export default async function setup(): Promise<void> {
  try {
    accessSync(CHROMIUM, constants.X_OK)
  } catch {
    throw new Error(
      `The end-to-end tests drive Chromium, expected at ${CHROMIUM}. On Debian/Ubuntu: ` +
        '`sudo apt-get install chromium` (.ci/run does this), or point CHROMIUM_PATH at a Chromium or Chrome binary.',
    )
  }
  await ensureRendererBuilt()
}
