/**
 * Optional vitest globalSetup for the `app` project (`test.globalSetup: ['app/e2e/global-setup.ts']`):
 * builds the renderer once before any worker starts. Without it, the first e2e file to need the build
 * makes it (the others wait on its lock), so the tests are correct either way.
 */
import { ensureRendererBuilt } from './support/build-renderer'

export default async function setup(): Promise<void> {
  await ensureRendererBuilt()
}
