// The built `cli.js` (the same vite build `npm run serve` runs, into a folder of its own) in a child process:
// it prints the URL, serves, and stops cleanly on SIGINT / SIGTERM. Waits are on output and exit events.
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { WebSocket } from 'ws'
import { createRPCClient } from '@atomiton/core/client'
import { createWebSocketBridge } from '@atomiton/core/transports/websocket/bridge'
import type { BuiltinPlugins } from '@atomiton/plugins'
import { writePackage } from '../test-support/plugin-packages'

const repoRoot = fileURLToPath(new URL('../..', import.meta.url))
// Inside the repository, so the built file resolves its npm imports from node_modules.
const buildDir = join(repoRoot, 'node_modules', '.cache', 'atomiton-serve-test', randomUUID())
const cli = join(buildDir, 'cli.js')
let workDir: string
let rendererDir: string

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'atomiton-cli-'))
  rendererDir = join(workDir, 'renderer')
  await mkdir(rendererDir)
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>Atomiton</title>')
  await promisify(execFile)(process.execPath, [join(repoRoot, 'app/serve/build.mjs'), '--skip-renderer', '--out-dir', buildDir], {
    cwd: repoRoot,
    timeout: 60_000,
  })
}, 90_000)

afterAll(async () => {
  await rm(buildDir, { recursive: true, force: true })
  await rm(workDir, { recursive: true, force: true })
})

interface Run {
  readonly child: ChildProcessWithoutNullStreams
  readonly stdout: () => string
  readonly stderr: () => string
  readonly exited: Promise<number | null>
  /** Resolves with the first match of `pattern` in stdout. */
  readonly waitFor: (pattern: RegExp) => Promise<RegExpMatchArray>
}

function run(args: readonly string[], cwd = workDir): Run {
  const child = spawn(process.execPath, [cli, ...args], { cwd, env: { ...process.env, NODE_ENV: 'production' } })
  let stdout = ''
  let stderr = ''
  const watchers = new Set<() => void>()
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8')
    for (const watcher of [...watchers]) watcher()
  })
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  const waitFor = (pattern: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = (): void => {
        const match = stdout.match(pattern)
        if (match) {
          watchers.delete(check)
          resolve(match)
        }
      }
      watchers.add(check)
      exited.then((code) => reject(new Error(`cli.js exited (${code}) before printing ${pattern}: ${stderr}`)))
      check()
    })
  return { child, stdout: () => stdout, stderr: () => stderr, exited, waitFor }
}

const URL_LINE = /Atomiton is running at (http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]+))\n/

describe('cli.js', () => {
  it('prints the URL with the token, serves the renderer, and stops on SIGINT', async () => {
    const dataDir = join(workDir, 'data-int')
    const cliRun = run(['--port', '0', '--data-dir', dataDir, '--renderer-dir', rendererDir])
    const [, url, , token] = await cliRun.waitFor(URL_LINE)
    expect(existsSync(dataDir)).toBe(true)
    const page = await fetch(url!)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('<title>Atomiton</title>')
    expect(page.headers.get('content-security-policy')).not.toContain('unsafe-eval')
    cliRun.child.kill('SIGINT')
    expect(await cliRun.exited).toBe(0)
    expect(cliRun.stdout()).toContain('Atomiton stopped\n')
    // Logs are JSON lines on stderr, and never hold the token.
    expect(cliRun.stderr()).toContain('"msg":"Browser mode is serving"')
    expect(cliRun.stderr()).not.toContain(token!)
  })

  it('runs an installed package in its own process, not in the server\'s', async () => {
    const dataDir = join(workDir, 'data-isolated')
    const folder = await writePackage(join(workDir, 'notes-package'), { id: 'notes' })
    const install = spawn(process.execPath, [join(repoRoot, 'bin/atomiton.mjs'), 'plugin', 'install', folder, '--data-dir', dataDir, '--yes'])
    expect(await new Promise((resolve) => install.once('exit', resolve))).toBe(0)

    const cliRun = run(['--port', '0', '--data-dir', dataDir, '--renderer-dir', rendererDir])
    const [, , port, token] = await cliRun.waitFor(URL_LINE)
    const origin = `http://127.0.0.1:${port}`
    class PageSocket extends WebSocket {
      constructor(url: string) {
        super(url, { origin })
      }
    }
    const bridge = createWebSocketBridge({ url: `ws://127.0.0.1:${port}/rpc`, token: token!, WebSocket: PageSocket })
    const client = createRPCClient<BuiltinPlugins>(bridge)
    try {
      await bridge.whenOpen()
      const answer = (await client.$call('notes.hello', { name: 'Ada' })) as { greeting: string }
      expect(answer.greeting).toBe('hello Ada from 1.0.0')
      const { plugins } = await client.system.listPlugins()
      const notes = plugins.find((plugin) => plugin.id === 'notes')
      expect(notes).toMatchObject({ state: 'active', origin: 'installed', process: { state: 'running' } })
      expect(notes?.process?.pid).toBeGreaterThan(0)
      expect(notes?.process?.pid).not.toBe(cliRun.child.pid)
    } finally {
      client.$dispose()
      bridge.close()
    }
    cliRun.child.kill('SIGINT')
    expect(await cliRun.exited).toBe(0)
  })

  it('defaults the data folder to ./.data, creating it, and stops on SIGTERM', async () => {
    const cwd = await mkdtemp(join(workDir, 'cwd-'))
    const cliRun = run(['--renderer-dir', rendererDir], cwd)
    await cliRun.waitFor(URL_LINE)
    expect(existsSync(join(cwd, '.data'))).toBe(true)
    cliRun.child.kill('SIGTERM')
    expect(await cliRun.exited).toBe(0)
  })

  it('exits 2 with the usage for a bad command line, and 0 for --help', async () => {
    const bad = run(['--port', 'http'])
    expect(await bad.exited).toBe(2)
    expect(bad.stderr()).toContain('--port must be an integer')
    expect(bad.stderr()).toContain('Usage: node out/serve/cli.js')
    const help = run(['--help'])
    expect(await help.exited).toBe(0)
    expect(help.stdout()).toContain('--data-dir <dir>')
  })

  it('exits 1 when the renderer is not built', async () => {
    const missing = run(['--data-dir', join(workDir, 'data-missing'), '--renderer-dir', join(workDir, 'nothing-here')])
    expect(await missing.exited).toBe(1)
    expect(missing.stderr()).toContain('No built renderer')
  })
})
