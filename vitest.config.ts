import { readdirSync } from 'node:fs'
import vue from '@vitejs/plugin-vue'
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config'
import { aliases } from './aliases.ts'

/** Every project's temporary files go into one folder per run, removed when it ends. */
const TEMPORARY_ROOT = 'tools/test/temporary-root.ts'

/** One vitest project per area, so `vitest --project storage` runs one plugin's tests alone. */
function project(name: string, root: string, options: { exclude?: string[]; globalSetup?: string } = {}): TestProjectInlineConfiguration {
  return {
    extends: true,
    test: {
      name,
      include: [`${root}/**/*.test.ts`],
      ...(options.exclude ? { exclude: ['**/node_modules/**', ...options.exclude] } : {}),
      globalSetup: [TEMPORARY_ROOT, ...(options.globalSetup ? [options.globalSetup] : [])],
      typecheck: { enabled: true, include: [`${root}/**/*.test-d.ts`], tsconfig: './tsconfig.json' },
    },
  }
}

/** Every folder under plugins/ is a plugin with its own project, named by its id: nothing to add by hand. */
const pluginIds = readdirSync(new URL('./plugins', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort()

export default defineConfig({
  // .vue single-file components (the renderer's component tests, project `app`).
  plugins: [vue()],
  resolve: { alias: aliases },
  test: {
    restoreMocks: true,
    testTimeout: 15_000,
    projects: [
      project('core', 'core'),
      project('tools', 'tools'),
      project('plugin-sdk', 'plugin-sdk'),
      ...pluginIds.map((id) => project(id, `plugins/${id}`)),
      // The built-in plugins together (each plugin's own project tests it alone, on fakes of the others).
      { extends: true, test: { name: 'integration', include: ['plugins/*.test.ts'], globalSetup: [TEMPORARY_ROOT] } },
      project('app', 'app', { exclude: ['app/e2e/**'] }),
      // The UI in Chromium against the browser-mode server; the renderer is built once first.
      project('e2e', 'app/e2e', { globalSetup: 'app/e2e/global-setup.ts' }),
    ],
  },
})
