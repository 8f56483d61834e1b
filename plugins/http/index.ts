/** The http pack: `httpPlugin` for the host's built-in list. */
export { httpPlugin } from './src/plugin'
export { httpSettings, type HttpSettings } from './src/settings'
