/** The shell pack: `shellPlugin` for the host's built-in list. */
export { shellPlugin } from './src/plugin'
export { shellSettings, type ShellSettings } from './src/settings'
