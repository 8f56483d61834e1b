/**
 * The one vite configuration for a plain-ESM Node bundle of a TypeScript entry: Node 20 cannot run
 * TypeScript, and our code imports the kernel through the repository's aliases (`@atomiton/core`,
 * `@atomiton/plugins`). An SSR build resolves the same aliases as vitest and electron-vite, strips the
 * types and leaves every npm package external, so the bundle imports `ws`, `conf`, `zod`... from
 * node_modules at run time (it runs from the repository).
 *
 * Used by browser mode's server (app/serve), the command line (app/cli) and the hostile test server
 * (core/test/support).
 */
import { fileURLToPath } from 'node:url'
import type { UserConfig } from 'vite'
import { aliases } from '../../aliases.ts'

export const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url))

export interface NodeBundle {
  /** Output file name (without `.js`) -> absolute path of its TypeScript entry. */
  readonly input: Readonly<Record<string, string>>
  /** Absolute output folder; emptied first. */
  readonly outDir: string
  readonly sourcemap?: boolean
}

export function nodeBundleConfig({ input, outDir, sourcemap = false }: NodeBundle): UserConfig {
  return {
    root: repositoryRoot,
    publicDir: false,
    logLevel: 'warn',
    resolve: { alias: aliases },
    build: {
      ssr: true,
      target: 'node20',
      outDir,
      emptyOutDir: true,
      minify: false,
      sourcemap,
      reportCompressedSize: false,
      rolldownOptions: {
        input: { ...input },
        output: { format: 'esm', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
      },
    },
  }
}
