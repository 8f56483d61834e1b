/**
 * The single declaration of `window.atomitonBridge`, the object the preload (`app/preload/index.ts`)
 * exposes through the contextBridge. Optional: a page opened outside Electron (browser mode, tests) has
 * none until another transport installs one.
 */
import type { AtomitonBridge } from '@atomiton/core/common/bridge'

declare global {
  interface Window {
    atomitonBridge?: AtomitonBridge
  }
}

export {}
