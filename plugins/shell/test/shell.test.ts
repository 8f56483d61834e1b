// shell.run with real child processes (the Node.js running the tests is the program): off by default, the
// granted working folder, the environment allow-list, output caps, and the whole process group killed on
// timeout and on cancel (a child that started a grandchild, which reports its pid to a local server).
import { describe, expect, it, vi } from 'vitest'
import { createNodeTypeHost, createTempFolder, isProcessRunning, nodeExecutable, startLocalServer } from '@atomiton/plugin-sdk/testing'
import { shellPlugin } from '../index'

async function setup(settings: Record<string, unknown> = {}) {
  const folder = await createTempFolder('atomiton-shell-')
  const nodes = await createNodeTypeHost({ plugins: [shellPlugin] })
  await nodes.configure('shell', { enabled: true, folders: [folder.path], ...settings })
  return { nodes, folder }
}

/** A script for `node -e`: starts a grandchild that shares its output, reports the grandchild's pid, then waits. */
function spawnsGrandchild(reportUrl: string): string {
  return [
    "const { spawn } = require('node:child_process')",
    "const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: ['ignore', 'inherit', 'inherit'] })",
    `fetch('${reportUrl}?pid=' + child.pid).catch(() => {})`,
    'setInterval(() => {}, 1000)',
  ].join('\n')
}

function reportedPid(url: string): number {
  return Number(new URL(url, 'http://x').searchParams.get('pid'))
}

describe('shell.run', () => {
  it('is off by default: refused without starting anything', async () => {
    const folder = await createTempFolder()
    const nodes = await createNodeTypeHost({ plugins: [shellPlugin] })
    expect(nodes.types().get('shell.run')?.owner).toBe('shell')
    await expect(nodes.run('shell.run', { program: nodeExecutable, args: ['-e', "require('fs').writeFileSync('ran', '')"], cwd: folder.path })).rejects.toMatchObject({
      code: 'SHELL_DISABLED',
    })
    expect(folder.exists('ran')).toBe(false)
  })

  it('warns in its settings description before the person switches it on', async () => {
    const { nodes } = await setup()
    const schema = nodes.describeSettings('shell').schema as unknown as { properties: { enabled: { description: string; default: boolean } } }
    expect(schema.properties.enabled.default).toBe(false)
    expect(schema.properties.enabled.description).toMatch(/^Warning: .*run programs/)
  })

  it('runs a program with arguments passed as is (no shell), in the granted folder', async () => {
    const { nodes, folder } = await setup()
    const run = await nodes.run('shell.run', {
      program: nodeExecutable,
      args: ['-e', 'console.log(JSON.stringify({ args: process.argv.slice(1), cwd: process.cwd() })); console.error("to stderr")', '$HOME; rm -rf *', '`id`'],
      cwd: folder.path,
    })
    expect(run.outputs).toMatchObject({ exitCode: 0, stderr: 'to stderr\n', stdoutTruncated: false })
    expect(JSON.parse((run.outputs as { stdout: string }).stdout)).toEqual({ args: ['$HOME; rm -rf *', '`id`'], cwd: folder.path })
    const input = await nodes.run('shell.run', { program: nodeExecutable, args: ['-e', 'process.stdin.pipe(process.stdout)'], cwd: folder.path, stdin: 'piped' })
    expect(input.outputs).toMatchObject({ stdout: 'piped' })
  })

  it('fails on a non-zero exit unless told not to, and names a missing program', async () => {
    const { nodes, folder } = await setup()
    await expect(nodes.run('shell.run', { program: nodeExecutable, args: ['-e', 'console.error("bad"); process.exit(3)'], cwd: folder.path })).rejects.toMatchObject({
      code: 'EXIT_CODE',
      exitCode: 3,
      message: expect.stringContaining('bad'),
    })
    await expect(nodes.run('shell.run', { program: nodeExecutable, args: ['-e', 'process.exit(3)'], cwd: folder.path, failOnExitCode: false })).resolves.toMatchObject({
      outputs: { exitCode: 3 },
    })
    await expect(nodes.run('shell.run', { program: folder.join('no-such-program'), cwd: folder.path })).rejects.toMatchObject({ code: 'PROGRAM_NOT_FOUND' })
  })

  it('refuses a working folder outside the granted ones', async () => {
    const { nodes } = await setup()
    const elsewhere = await createTempFolder()
    await expect(nodes.run('shell.run', { program: nodeExecutable, args: ['-e', ''], cwd: elsewhere.path })).rejects.toMatchObject({
      code: 'PATH_NOT_ALLOWED',
      issues: [{ path: ['cwd'] }],
    })
  })

  it('passes only the allowed environment variables, and refuses setting others', async () => {
    const { nodes, folder } = await setup({ environment: ['PATH', 'ATOMITON_ALLOWED'] })
    process.env.ATOMITON_SECRET_FOR_TEST = 'secret'
    process.env.ATOMITON_ALLOWED = 'from host'
    try {
      const run = await nodes.run('shell.run', { program: nodeExecutable, args: ['-e', 'console.log(JSON.stringify(process.env))'], cwd: folder.path })
      const env = JSON.parse((run.outputs as { stdout: string }).stdout) as Record<string, string>
      expect(env.ATOMITON_SECRET_FOR_TEST).toBeUndefined()
      expect(env.ATOMITON_ALLOWED).toBe('from host')
      expect(Object.keys(env).filter((name) => !['PATH', 'ATOMITON_ALLOWED'].includes(name))).toEqual([])
      const set = await nodes.run('shell.run', { program: nodeExecutable, args: ['-e', 'console.log(process.env.ATOMITON_ALLOWED)'], cwd: folder.path, env: { ATOMITON_ALLOWED: 'set' } })
      expect(set.outputs).toMatchObject({ stdout: 'set\n' })
      await expect(nodes.run('shell.run', { program: nodeExecutable, args: ['-e', ''], cwd: folder.path, env: { NODE_OPTIONS: '--require=/tmp/x.js' } })).rejects.toMatchObject({
        code: 'ENV_NOT_ALLOWED',
        issues: [{ path: ['env', 'NODE_OPTIONS'] }],
      })
    } finally {
      delete process.env.ATOMITON_SECRET_FOR_TEST
      delete process.env.ATOMITON_ALLOWED
    }
  })

  it('caps the captured output and says it was truncated', async () => {
    const { nodes, folder } = await setup({ maxOutputBytes: 1000 })
    const run = await nodes.run('shell.run', { program: nodeExecutable, args: ['-e', 'process.stdout.write("x".repeat(100000))'], cwd: folder.path })
    expect(run.outputs).toMatchObject({ exitCode: 0, stdoutTruncated: true })
    expect((run.outputs as { stdout: string }).stdout).toHaveLength(1000)
  })

  it('kills the whole process group at the time limit: the grandchild goes too', async () => {
    const server = await startLocalServer((_req, res) => res.end())
    const { nodes, folder } = await setup()
    const running = nodes.run('shell.run', { program: nodeExecutable, args: ['-e', spawnsGrandchild(`${server.origin}/pid`)], cwd: folder.path, timeoutMs: 6000 })
    const report = await server.received(1)
    await expect(running).rejects.toMatchObject({ code: 'PROCESS_TIMEOUT' })
    // SIGKILL to the group is sent before the answer; the kernel takes the grandchild down a moment later.
    await vi.waitFor(() => expect(isProcessRunning(reportedPid(report.url))).toBe(false))
  })

  it('kills the whole process group when the run is cancelled', async () => {
    const server = await startLocalServer((_req, res) => res.end())
    const { nodes, folder } = await setup()
    const controller = new AbortController()
    const running = nodes.run('shell.run', { program: nodeExecutable, args: ['-e', spawnsGrandchild(`${server.origin}/pid`)], cwd: folder.path }, { signal: controller.signal })
    const report = await server.received(1)
    const grandchild = reportedPid(report.url)
    expect(isProcessRunning(grandchild)).toBe(true)
    controller.abort(new Error('run cancelled'))
    await expect(running).rejects.toThrow('run cancelled')
    // The caller is answered at once on cancel; the group's SIGKILL takes effect a moment later.
    await vi.waitFor(() => expect(isProcessRunning(grandchild)).toBe(false))
  })

  it('a program that exits leaves nothing of its group running', async () => {
    const server = await startLocalServer((_req, res) => res.end())
    const { nodes, folder } = await setup()
    const script = [
      "const { spawn } = require('node:child_process')",
      "const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: ['ignore', 'inherit', 'inherit'] })",
      `fetch('${server.origin}/pid?pid=' + child.pid).then(() => process.exit(0))`,
    ].join('\n')
    // the grandchild holds the output pipes: the run ends (before its time limit) only because the group is killed
    await expect(nodes.run('shell.run', { program: nodeExecutable, args: ['-e', script], cwd: folder.path, timeoutMs: 20_000 })).resolves.toMatchObject({ outputs: { exitCode: 0 } })
    const grandchild = reportedPid(server.requests[0]?.url ?? '')
    expect(grandchild).toBeGreaterThan(0)
    expect(isProcessRunning(grandchild)).toBe(false)
  })
})
