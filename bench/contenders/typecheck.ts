/**
 * Scenario 7: type-check cost of a large API. A generator writes a project of `plugins × perPlugin`
 * procedures and a client file calling `clientCalls` of them; each op runs `tsc --noEmit --extendedDiagnostics`
 * on it in a fresh process and keeps tsc's own figures and the process's peak RSS (`RSS MB`, from
 * `process.resourceUsage().maxRSS` at exit; `heap MB` is tsc's "Memory used").
 */
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { quantile, selfTimed, type Contender } from '../harness'
import { REPO_ROOT } from '../paths'

export interface TypecheckSpec {
  readonly plugins: number
  readonly perPlugin: number
  /** How many distinct procedures the client file calls. */
  readonly clientCalls: number
}

/** Source files of a project, by path relative to its root (`tsconfig.json` is written by the harness). */
export type ProjectFiles = Record<string, string>
export type ProjectGenerator = (spec: TypecheckSpec) => ProjectFiles

const TSC = createRequire(import.meta.url).resolve('typescript/lib/tsc.js')

/**
 * Where a generated project finds the kernel: its TypeScript sources (every function body type-checked
 * with the project), or declarations emitted once at set-up, which is how a published package is
 * consumed (tRPC and oRPC come as declarations from node_modules, their bodies skipped by skipLibCheck).
 */
export type KernelForm = 'source' | 'declarations'

/** The repository's compiler options (tsconfig.json), so a generated project is checked as the repo's code is. */
function tsconfig(kernelRoot: string, extension: '.ts' | '.d.ts'): string {
  const alias = (path: string): string[] => [join(kernelRoot, extension === '.ts' ? path : path.replace(/\.ts$/, '.d.ts'))]
  return JSON.stringify(
    {
      compilerOptions: {
        target: 'ES2023',
        module: 'ESNext',
        moduleResolution: 'Bundler',
        lib: ['ES2023', 'DOM', 'DOM.Iterable'],
        types: ['node'],
        strict: true,
        noUncheckedIndexedAccess: true,
        noImplicitOverride: true,
        isolatedModules: true,
        verbatimModuleSyntax: true,
        skipLibCheck: true,
        noEmit: true,
        // The repository's aliases, for a generator that imports the kernel (the Atomiton one).
        paths: {
          '@atomiton/core': alias('core/src/index.ts'),
          '@atomiton/core/*': alias('core/src/*'),
          '@atomiton/plugin-sdk': alias('plugin-sdk/src/index.ts'),
          '@atomiton/plugins': alias('plugins/index.ts'),
        },
      },
      include: ['src'],
    },
    null,
    2,
  )
}

interface Run {
  readonly checkS: number
  readonly totalS: number
  readonly memoryMB: number
  readonly maxRssMB: number
  readonly types: number
  readonly instantiations: number
}

function diagnostic(output: string, label: string): number {
  const match = new RegExp(`^${label}:\\s+([\\d.]+)(K|s)?\\s*$`, 'm').exec(output)
  if (match === null) throw new Error(`tsc printed no "${label}"`)
  return Number(match[1])
}

function runTsc(dir: string): Promise<{ wallMs: number; run: Run }> {
  // tsc runs in this wrapper so that the process's own peak RSS can be printed at exit (tsc.js reads argv from index 2).
  const wrapper = `process.on('exit', () => process.stderr.write('\\nmaxRSS-kB ' + process.resourceUsage().maxRSS + '\\n')); require(${JSON.stringify(TSC)})`
  const args = ['-e', wrapper, '--', 'tsc', '-p', dir, '--extendedDiagnostics']
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => {
      const wallMs = performance.now() - started
      if (code !== 0) return reject(new Error(`tsc exited with ${code}: ${stdout.split('\n').slice(0, 8).join('\n')}`))
      try {
        const rss = /maxRSS-kB (\d+)/.exec(stderr)
        resolve({
          wallMs,
          run: {
            checkS: diagnostic(stdout, 'Check time'),
            totalS: diagnostic(stdout, 'Total time'),
            memoryMB: diagnostic(stdout, 'Memory used') / 1024,
            maxRssMB: rss === null ? Number.NaN : Number(rss[1]) / 1024,
            types: diagnostic(stdout, 'Types'),
            instantiations: diagnostic(stdout, 'Instantiations'),
          },
        })
      } catch (error) {
        reject(error as Error)
      }
    })
  })
}

/** A contender that generates its project at setup (in a temp dir, `node_modules` linked to the repo's) and type-checks it per op. */
export function typecheckContender(
  name: string,
  generate: ProjectGenerator,
  spec: TypecheckSpec,
  kernel: KernelForm = 'source',
): Contender<undefined> {
  return {
    name,
    async setup() {
      const files = generate(spec)
      const dir = mkdtempSync(join(tmpdir(), 'atomiton-bench-tsc-'))
      symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir')
      if (kernel === 'declarations') await emitKernelDeclarations(dir)
      writeFileSync(join(dir, 'tsconfig.json'), kernel === 'declarations' ? tsconfig(join(dir, 'kernel'), '.d.ts') : tsconfig(REPO_ROOT, '.ts'))
      let lines = 0
      for (const [path, content] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, 'src', path)), { recursive: true })
        writeFileSync(join(dir, 'src', path), content)
        lines += content.split('\n').length
      }
      const runs: Run[] = []
      return {
        async call() {
          const { wallMs, run } = await runTsc(dir)
          runs.push(run)
          return selfTimed(wallMs)
        },
        metrics() {
          const median = (pick: (run: Run) => number): number => round(quantile(runs.map(pick).sort((a, b) => a - b), 0.5))
          return {
            'check s': median((r) => r.checkS),
            'tsc total s': median((r) => r.totalS),
            'heap MB': median((r) => r.memoryMB),
            'RSS MB': median((r) => r.maxRssMB),
            types: median((r) => r.types),
            instantiations: median((r) => r.instantiations),
            'src lines': lines,
          }
        },
        async close() {
          rmSync(dir, { recursive: true, force: true })
        },
      }
    },
  }
}

/** Emits the kernel's declarations (core and plugin-sdk, without tests) into `<dir>/kernel`; not measured. */
async function emitKernelDeclarations(dir: string): Promise<void> {
  const config = join(dir, 'tsconfig.kernel.json')
  writeFileSync(
    config,
    JSON.stringify({
      extends: join(REPO_ROOT, 'tsconfig.json'),
      compilerOptions: { noEmit: false, declaration: true, emitDeclarationOnly: true, outDir: join(dir, 'kernel'), rootDir: REPO_ROOT },
      include: [join(REPO_ROOT, 'core/src'), join(REPO_ROOT, 'plugin-sdk/src/index.ts')],
      exclude: ['**/*.test.ts', '**/*.test-d.ts', '**/*.contract.ts'],
    }),
  )
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [TSC, '-p', config], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`declaration emit failed: ${output.slice(0, 800)}`))))
  })
}

function round(x: number): number {
  return Math.round(x * 100) / 100
}

// ── Generators ──

/** The `k`-th call of the client: spread over every plugin and over each plugin's procedures. */
export function clientTargets(spec: TypecheckSpec): Array<readonly [plugin: number, procedure: number]> {
  return Array.from({ length: spec.clientCalls }, (_, k) => [k % spec.plugins, (k * 7 + Math.floor(k / spec.plugins)) % spec.perPlugin] as const)
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i)
}

const INPUT = 'z.object({ id: z.number(), name: z.string() })'

/** The client: awaits each target once and uses a field of its result, so its output type is inferred too. */
function clientFile(spec: TypecheckSpec, imports: string, call: (plugin: number, procedure: number) => string): string {
  const calls = clientTargets(spec).map(
    ([p, i], k) => `  const r${k} = await ${call(p, i)}({ id: ${k}, name: 'n${k}' })\n  names.push(r${k}.name)`,
  )
  return `${imports}

export async function run(): Promise<string[]> {
  const names: string[] = []
${calls.join('\n')}
  return names
}
`
}

function pluginIndex(spec: TypecheckSpec, exportName: (p: number) => string): string {
  return `${range(spec.plugins).map((p) => `import { ${exportName(p)} } from './plugins/plugin${p}'`).join('\n')}\n`
}

/** No framework: plain typed functions, grouped per plugin, and a client calling them directly. */
export const plainFunctionsProject: ProjectGenerator = (spec) => {
  const files: ProjectFiles = {
    'server/types.ts': 'export interface Input {\n  id: number\n  name: string\n}\n',
  }
  for (const p of range(spec.plugins)) {
    files[`server/plugins/plugin${p}.ts`] = `import type { Input } from '../types'

${range(spec.perPlugin).map((i) => `export async function proc${i}(input: Input) {\n  return input\n}`).join('\n\n')}
`
  }
  files['server/api.ts'] = `${range(spec.plugins).map((p) => `import * as plugin${p} from './plugins/plugin${p}'`).join('\n')}

export const api = { ${range(spec.plugins).map((p) => `plugin${p}`).join(', ')} }
`
  files['client.ts'] = clientFile(spec, `import { api } from './server/api'`, (p, i) => `api.plugin${p}.proc${i}`)
  return files
}

/** The same with a zod schema per procedure (what validation alone costs the checker). */
export const zodFunctionsProject: ProjectGenerator = (spec) => {
  const files: ProjectFiles = {}
  for (const p of range(spec.plugins)) {
    files[`server/plugins/plugin${p}.ts`] = `import { z } from 'zod'

${range(spec.perPlugin)
  .map((i) => `const input${i} = ${INPUT}\nexport async function proc${i}(input: z.input<typeof input${i}>) {\n  return input${i}.parse(input)\n}`)
  .join('\n\n')}
`
  }
  files['server/api.ts'] = `${range(spec.plugins).map((p) => `import * as plugin${p} from './plugins/plugin${p}'`).join('\n')}

export const api = { ${range(spec.plugins).map((p) => `plugin${p}`).join(', ')} }
`
  files['client.ts'] = clientFile(spec, `import { api } from './server/api'`, (p, i) => `api.plugin${p}.proc${i}`)
  return files
}

/** tRPC: one router per plugin merged into an app router, and a typed `createTRPCClient<AppRouter>`. */
export const trpcProject: ProjectGenerator = (spec) => {
  const files: ProjectFiles = {
    'server/trpc.ts': `import { initTRPC } from '@trpc/server'\n\nexport const t = initTRPC.create()\n`,
  }
  for (const p of range(spec.plugins)) {
    files[`server/plugins/plugin${p}.ts`] = `import { z } from 'zod'
import { t } from '../trpc'

export const plugin${p} = t.router({
${range(spec.perPlugin).map((i) => `  proc${i}: t.procedure.input(${INPUT}).query(async ({ input }) => input),`).join('\n')}
})
`
  }
  files['server/router.ts'] = `${pluginIndex(spec, (p) => `plugin${p}`)}import { t } from './trpc'

export const appRouter = t.router({ ${range(spec.plugins).map((p) => `plugin${p}`).join(', ')} })
export type AppRouter = typeof appRouter
`
  files['client.ts'] = clientFile(
    spec,
    `import { createTRPCClient } from '@trpc/client'\nimport type { AppRouter } from './server/router'\n\nconst client = createTRPCClient<AppRouter>({ links: [] })`,
    (p, i) => `client.plugin${p}.proc${i}.query`,
  )
  return files
}

/** oRPC: one router object per plugin, merged, and a typed `RouterClient<AppRouter>`. */
export const orpcProject: ProjectGenerator = (spec) => {
  const files: ProjectFiles = {}
  for (const p of range(spec.plugins)) {
    files[`server/plugins/plugin${p}.ts`] = `import { os } from '@orpc/server'
import { z } from 'zod'

export const plugin${p} = {
${range(spec.perPlugin).map((i) => `  proc${i}: os.input(${INPUT}).handler(async ({ input }) => input),`).join('\n')}
}
`
  }
  files['server/router.ts'] = `${pluginIndex(spec, (p) => `plugin${p}`)}
export const router = { ${range(spec.plugins).map((p) => `plugin${p}`).join(', ')} }
export type AppRouter = typeof router
`
  files['client.ts'] = clientFile(
    spec,
    `import { createORPCClient } from '@orpc/client'\nimport { RPCLink } from '@orpc/client/fetch'\nimport type { RouterClient } from '@orpc/server'\nimport type { AppRouter } from './server/router'\n\nconst client: RouterClient<AppRouter> = createORPCClient(new RPCLink({ url: 'http://127.0.0.1' }))`,
    (p, i) => `client.plugin${p}.proc${i}`,
  )
  return files
}
