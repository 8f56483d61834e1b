/** Scenario 6: how long a fresh Node process takes from spawn until it prints `ready`. */
import { spawn } from 'node:child_process'
import { performance } from 'node:perf_hooks'
import { selfTimed, type Contender } from '../harness'
import { REPO_ROOT } from '../paths'

export const READY = 'ready'

/**
 * Spawns `node ...args` (cwd: the repository, so bare imports resolve) per op; the sample is the time from
 * `spawn` to the first `ready` line on stdout. The process's exit is awaited but not timed.
 */
export function bootContender(name: string, args: readonly string[]): Contender<undefined> {
  return {
    name,
    async setup() {
      return { call: () => bootOnce(args), close: async () => {} }
    },
  }
}

function bootOnce(args: readonly string[]): Promise<ReturnType<typeof selfTimed>> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    let readyAfter: number | undefined
    let stdout = ''
    let stderr = ''
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
      if (readyAfter === undefined && stdout.split('\n').includes(READY)) readyAfter = performance.now() - started
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => {
      if (readyAfter !== undefined) resolve(selfTimed(readyAfter))
      else reject(new Error(`exited with ${code} before printing "${READY}": ${stderr.trim().slice(0, 500)}`))
    })
  })
}

/** `node -e` with no imports: the cost of Node itself. */
export const bareNode = bootContender('node -e (no imports)', ['-e', `process.stdout.write('${READY}\\n')`])

/**
 * The floor: Node importing the host's own dependencies (zod, awilix, tapable) and using each once, as a
 * host that did nothing else would: a schema parsed, a container with one registration, a hook called.
 */
export const nodeWithDependencies = bootContender('node + zod + awilix + tapable (floor)', [
  '--input-type=module',
  '-e',
  [
    "import { z } from 'zod'",
    "import { asValue, createContainer } from 'awilix'",
    "import tapable from 'tapable'",
    'const schema = z.object({ id: z.number(), name: z.string() })',
    'const container = createContainer()',
    'container.register({ schema: asValue(schema) })',
    "const hook = new tapable.AsyncSeriesHook(['plugin'])",
    "hook.tapPromise('bench', async () => {})",
    'await hook.promise({})',
    "container.resolve('schema').parse({ id: 1, name: 'ready' })",
    `process.stdout.write('${READY}\\n')`,
  ].join('\n'),
])
