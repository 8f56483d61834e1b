/**
 * The preload: exposes the generic bridge (`bridge.ts`) to the page as `window.atomitonBridge`, and nothing
 * else. Bundled to ONE sandbox-compatible CommonJS file (`out/preload/index.cjs`) that requires nothing but
 * `electron`; main validates the sender and everything else.
 */
import { contextBridge, ipcRenderer } from 'electron'
import { createPreloadBridge } from './bridge'

contextBridge.exposeInMainWorld('atomitonBridge', createPreloadBridge(ipcRenderer))
