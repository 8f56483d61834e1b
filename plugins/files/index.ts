/** The files pack: `filesPlugin` for the host's built-in list. */
export { filesPlugin } from './src/plugin'
export { filesSettings, type FilesSettings } from './src/settings'
