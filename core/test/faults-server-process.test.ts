// Issue 10, item 1, as it was found: one plugin error ended browser mode's server process for every page.
// The real host with the hostile plugin behind the real WebSocket server runs in a child process of its
// own (built like `npm run serve` builds cli.js); after every unreadable failure the process is still up
// and serving. Waits are on output and exit events.
import { execFile, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, expect, it, onTestFinished } from 'vitest'
import { WebSocket as NodeWebSocket } from 'ws'
import { createRPCClient } from '../src/client/client'
import { expectThenableAwaited, expectUnreadableFailuresContained } from '../src/transports/test-support/fault-cases'
import type { HostilePlugins } from '../src/transports/test-support/hostile-plugin'
import { createWebSocketBridge } from '../src/transports/websocket/bridge'

const repoRoot = fileURLToPath(new URL('../..', import.meta.url))
// Inside the repository, so the built file resolves its npm imports from node_modules.
const buildDir = join(repoRoot, 'node_modules', '.cache', 'atomiton-hostile-server', randomUUID())
const TOKEN = 'a-long-random-test-token'
const ORIGIN = 'http://127.0.0.1:5173'

class BrowserSocket extends NodeWebSocket {
  constructor(url: string) {
    super(url, { origin: ORIGIN })
  }
}

beforeAll(async () => {
  await promisify(execFile)(
    process.execPath,
    [join(repoRoot, 'node_modules/vite/bin/vite.js'), 'build', '--config', join(repoRoot, 'core/test/support/hostile-server.vite.config.ts'), '--configLoader', 'runner'],
    { cwd: repoRoot, timeout: 60_000, env: { ...process.env, HOSTILE_SERVER_OUT_DIR: buildDir } },
  )
}, 90_000)

afterAll(() => rm(buildDir, { recursive: true, force: true }))

/** Starts the server process; resolves with its URL once it prints it. */
async function startServer() {
  const child = spawn(process.execPath, [join(buildDir, 'hostile-server.js')], {
    cwd: repoRoot,
    env: { ...process.env, TOKEN, ORIGIN },
  })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  onTestFinished(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
      await exited
    }
  })
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8')
      const match = /READY (\S+)/.exec(stdout)
      if (match) resolve(match[1]!)
    })
    void exited.then((code) => reject(new Error(`the server exited (${code}) before it was ready: ${stderr}`)))
  })
  return { child, url, stderr: () => stderr }
}

it('survives every unreadable failure of a plugin, answering each caller INTERNAL, and keeps serving', async () => {
  const server = await startServer()
  const bridge = createWebSocketBridge({ url: server.url, token: TOKEN, WebSocket: BrowserSocket })
  const client = createRPCClient<HostilePlugins>(bridge)
  onTestFinished(() => {
    client.$dispose()
    bridge.close()
  })
  await bridge.whenOpen()
  await expectUnreadableFailuresContained(client)
  await expectThenableAwaited(client)
  // Still the same process, and nothing went unhandled in it.
  await expect(client.rpc.ping()).resolves.toMatchObject({ pong: true })
  expect(server.child.exitCode).toBeNull()
  expect(server.stderr()).not.toMatch(/Unhandled|uncaught/i)
})
