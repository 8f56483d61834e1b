export { systemPlugin } from './src/plugin'
