/** The code pack: `codePlugin` for the host's built-in list. */
export { codePlugin } from './src/plugin'
export { codeSettings, type CodeSettings } from './src/settings'
