/**
 * The files of a new plugin package (`npx atomiton plugin new <dir> --id <id>`): one procedure, one event, a
 * settings schema, a test on `createTestHost`, a build to one ESM file, a README. The SDK is not published,
 * so the package links this checkout's `plugin-sdk/` with a `file:` dependency (absolute path); zod, vitest and
 * vite are pinned to the versions this repository uses, which `npm install` finds in the local npm cache.
 */

export interface ScaffoldOptions {
  readonly id: string
  /** The repository holding `plugin-sdk/` (absolute). */
  readonly repoRoot: string
  /** Exact versions of the tools, read from the repository's node_modules. */
  readonly versions: { readonly zod: string; readonly vitest: string; readonly vite: string; readonly typescript: string; readonly typesNode: string }
  readonly apiVersion: string
}

export function scaffoldFiles(options: ScaffoldOptions): Record<string, string> {
  const { id, repoRoot, versions } = options
  const name = `atomiton-plugin-${id.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`
  const apiMajor = options.apiVersion.split('.')[0]
  const packageJson = {
    name,
    version: '0.1.0',
    description: `The ${id} plugin for Atomiton`,
    type: 'module',
    files: ['dist'],
    scripts: {
      build: 'node build.mjs',
      test: 'vitest run',
      typecheck: 'tsc --noEmit',
      prepack: 'node build.mjs',
    },
    atomiton: { id, entry: 'dist/index.js', api: `^${apiMajor}.0.0`, permissions: [] },
    peerDependencies: { '@atomiton/plugin-sdk': `^${apiMajor}.0.0`, zod: '^4.0.0' },
    devDependencies: {
      '@atomiton/plugin-sdk': `file:${repoRoot}/plugin-sdk`,
      '@types/node': versions.typesNode,
      typescript: versions.typescript,
      vite: versions.vite,
      vitest: versions.vitest,
      zod: versions.zod,
    },
  }
  return {
    'package.json': `${JSON.stringify(packageJson, null, 2)}\n`,
    'src/index.ts': `/**
 * The ${id} plugin: one procedure (\`${id}.hello\`), one event (\`${id}.greeted\`) and one setting (\`greeting\`).
 * A plugin imports only @atomiton/plugin-sdk and zod: the host lends both at run time.
 */
import { definePlugin, event } from '@atomiton/plugin-sdk'
import { z } from 'zod'
import { version } from '../package.json'

export default definePlugin({
  id: '${id}',
  // The host checks that the definition and package.json agree: the version comes from package.json.
  version,
  description: 'Says hello',
  // What this plugin may call with ctx.call (also listed in package.json's atomiton.permissions).
  permissions: [],
  settings: z.object({
    greeting: z.string().min(1).max(40).default('Hello').describe('How to greet'),
  }),
  events: {
    greeted: event({ payload: z.object({ name: z.string() }), expose: true, description: 'Someone was greeted' }),
  },
  procedures: (p) => ({
    hello: p
      .procedure({
        description: 'Greets someone',
        input: z.object({ name: z.string().min(1).max(100) }),
        output: z.object({ message: z.string() }),
        expose: true,
      })
      .handler(({ name }, ctx) => {
        ctx.emit('greeted', { name })
        return { message: \`\${ctx.settings.get().greeting}, \${name}!\` }
      }),
  }),
})
`,
    'test/plugin.test.ts': `import { expect, it } from 'vitest'
import { createTestHost } from '@atomiton/plugin-sdk/testing'
import plugin from '../src/index'

it('greets with the default greeting and tells subscribers', async () => {
  const { client } = await createTestHost({ plugins: [plugin] })
  const greeted: unknown[] = []
  const off = client.$on('${id}.greeted', (payload) => greeted.push(payload))
  await off.ready
  await expect(client.${id}.hello({ name: 'Ada' })).resolves.toEqual({ message: 'Hello, Ada!' })
  await expect.poll(() => greeted).toEqual([{ name: 'Ada' }])
})

it('refuses bad input with INVALID_PARAMS at the field', async () => {
  const { client } = await createTestHost({ plugins: [plugin] })
  await expect(client.${id}.hello({ name: '' })).rejects.toMatchObject({ code: 'INVALID_PARAMS', data: { issues: [{ path: ['name'] }] } })
})
`,
    'build.mjs': `// Builds src/index.ts into ONE ESM file, dist/index.js, the package's atomiton.entry. Everything is bundled
// except @atomiton/plugin-sdk (and its /contracts) and zod, which the host provides at run time (one copy, the host's).
import { build } from 'vite'

await build({
  configFile: false,
  logLevel: 'warn',
  ssr: { noExternal: true },
  build: {
    ssr: 'src/index.ts',
    outDir: 'dist',
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    rolldownOptions: {
      external: [/^@atomiton\\/plugin-sdk(\\/contracts(\\/[a-z][a-zA-Z0-9]*)?)?$/, /^zod(\\/.*)?$/],
      output: { format: 'esm', entryFileNames: 'index.js' },
    },
  },
})
`,
    'vitest.config.ts': `import { defineConfig } from 'vitest/config'
import { atomitonSdk } from '@atomiton/plugin-sdk/vitest'

// Runs the tests on the SDK's sources with one copy of zod and vitest (see @atomiton/plugin-sdk/vitest).
export default defineConfig({ resolve: atomitonSdk })
`,
    'tsconfig.json': `${JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2023',
          module: 'ESNext',
          moduleResolution: 'Bundler',
          lib: ['ES2023'],
          types: ['node'],
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          resolveJsonModule: true,
          allowImportingTsExtensions: true,
          paths: { '@atomiton/core': [`${repoRoot}/core/src/index.ts`], '@atomiton/core/*': [`${repoRoot}/core/src/*`] },
        },
        include: ['src', 'test'],
      },
      null,
      2,
    )}\n`,
    '.gitignore': 'node_modules/\ndist/\n*.tgz\n',
    'README.md': `# ${name}

The \`${id}\` plugin for Atomiton: \`${id}.hello({ name })\` answers \`{ message }\` with the \`greeting\` setting,
and emits \`${id}.greeted\`.

\`\`\`sh
npm install          # links the SDK of your Atomiton checkout (${repoRoot}/plugin-sdk)
npm test             # the tests, on the real kernel (createTestHost)
npm run build        # dist/index.js: the entry the host imports
npm pack             # ${name}-0.1.0.tgz (builds first)
npx atomiton plugin install ${name}-0.1.0.tgz --data-dir <the app's data folder>   # from the Atomiton checkout
\`\`\`

Or install the \`.tgz\` from the app's Settings view (drop it on the page), or let
\`npx atomiton plugin dev <this folder> --data-dir <dir>\` rebuild and reload it in the running app on every change.

- \`package.json\`'s \`atomiton\` field is the manifest: the plugin id, the entry, the plugin API range it supports
  and the permissions it asks for (keep \`permissions\` in \`src/index.ts\` the same). The format:
  ${repoRoot}/plugin-sdk/PACKAGE-FORMAT.md.
- Import only \`@atomiton/plugin-sdk\` (and the built-ins' contracts, \`@atomiton/plugin-sdk/contracts\`) and \`zod\`; anything
  else must be bundled into \`dist/index.js\`.
- The version comes from \`package.json\`: bump it there for an upgrade.
`,
  }
}
