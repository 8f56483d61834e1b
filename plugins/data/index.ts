/** The data pack: `dataPlugin` for the host's built-in list. */
export { dataPlugin } from './src/plugin'
export { dataSettings, type DataSettings } from './src/settings'
