import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config'
import { aliases } from './aliases.ts'

/** One vitest project per area, so `vitest --project storage` runs one plugin's tests alone. */
function project(name: string, root: string, environment: 'node' | 'jsdom' = 'node'): TestProjectInlineConfiguration {
  return {
    extends: true,
    test: {
      name,
      environment,
      include: [`${root}/**/*.test.ts`],
      typecheck: { enabled: true, include: [`${root}/**/*.test-d.ts`], tsconfig: './tsconfig.json' },
    },
  }
}

export default defineConfig({
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
      // The built-in plugins together (each plugin's own project tests it alone, on fakes of the others).
      { extends: true, test: { name: 'integration', include: ['plugins/*.test.ts'] } },
      project('app', 'app'),
    ],
  },
})
