import vue from '@vitejs/plugin-vue'
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config'
import { aliases } from './aliases.ts'

/** One vitest project per area, so `vitest --project storage` runs one plugin's tests alone. */
function project(name: string, root: string, options: { exclude?: string[]; globalSetup?: string } = {}): TestProjectInlineConfiguration {
  return {
    extends: true,
    test: {
      name,
      include: [`${root}/**/*.test.ts`],
      ...(options.exclude ? { exclude: ['**/node_modules/**', ...options.exclude] } : {}),
      ...(options.globalSetup ? { globalSetup: [options.globalSetup] } : {}),
      typecheck: { enabled: true, include: [`${root}/**/*.test-d.ts`], tsconfig: './tsconfig.json' },
    },
  }
}

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
      project('system', 'plugins/system'),
      project('storage', 'plugins/storage'),
      project('node', 'plugins/node'),
      project('workflow', 'plugins/workflow'),
      project('http', 'plugins/http'),
      project('files', 'plugins/files'),
      project('shell', 'plugins/shell'),
      project('code', 'plugins/code'),
      project('data', 'plugins/data'),
      // The built-in plugins together (each plugin's own project tests it alone, on fakes of the others).
      { extends: true, test: { name: 'integration', include: ['plugins/*.test.ts'] } },
      project('app', 'app', { exclude: ['app/e2e/**'] }),
      // The UI in Chromium against the browser-mode server; the renderer is built once first.
      project('e2e', 'app/e2e', { globalSetup: 'app/e2e/global-setup.ts' }),
    ],
  },
})
