/** See vitest.mjs: the `resolve` options a plugin package's vitest.config needs. */
export declare const atomitonSdk: {
  readonly alias: { find: RegExp; replacement: string }[]
  readonly dedupe: string[]
}
