// `@atomiton/plugin-sdk/vitest`: what a plugin package's vitest.config needs to run its tests on the SDK's
// TypeScript sources (this SDK is not published: a package links it with a `file:` dependency).
//
//   import { defineConfig } from 'vitest/config'
//   import { atomitonSdk } from '@atomiton/plugin-sdk/vitest'
//   export default defineConfig({ resolve: atomitonSdk })
//
// - `alias`: the SDK's own imports of the kernel (`@atomiton/core/...`) point at its sources next to it;
// - `dedupe`: `zod` and `vitest` resolve from the package's own node_modules, so the tests run ONE copy of
//   zod (the package's schemas and the host's checks agree) and the SDK's `onTestFinished` reaches the
//   running vitest.
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const coreSources = join(dirname(fileURLToPath(import.meta.url)), '..', 'core', 'src')

export const atomitonSdk = {
  alias: [
    { find: /^@atomiton\/core$/, replacement: join(coreSources, 'index.ts') },
    { find: /^@atomiton\/core\/(.*)$/, replacement: `${coreSources}/$1` },
  ],
  dedupe: ['zod', 'vitest'],
}
