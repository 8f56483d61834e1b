/**
 * `npx atomiton plugin dev` against a running host: the real CLI in a child process builds and installs the
 * package, asks the host to reload it, and on a source change rebuilds and reloads it; the host swaps the
 * definition and everything else keeps serving. Waits on the CLI's own output lines, never on time.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { createHost, type Host } from '@atomiton/core/host/create-host'
import { createConfStoreFactory } from '@atomiton/core/host/stores'
import { builtinPlugins } from '@atomiton/plugins'
import { hostModules } from '../common/host-modules'
import { entrySource, temporaryFolder, writePackage } from '../test-support/plugin-packages'

const bin = fileURLToPath(new URL('../../bin/atomiton.mjs', import.meta.url))
const children: ChildProcess[] = []
const hosts: Host[] = []
afterEach(async () => {
  for (const child of children.splice(0)) child.kill()
  await Promise.all(hosts.splice(0).map((host) => host.dispose()))
})

/** The child's stdout, and a promise per awaited line pattern (resolved when it is printed). */
function follow(child: ChildProcess) {
  let output = ''
  const waiters: { pattern: RegExp; from: number; resolve: (line: string) => void }[] = []
  const check = (): void => {
    for (const waiter of [...waiters]) {
      const match = waiter.pattern.exec(output.slice(waiter.from))
      if (match) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve(match[0])
      }
    }
  }
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString()
    check()
  })
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  return {
    next: (pattern: RegExp): Promise<string> =>
      new Promise((resolve) => {
        waiters.push({ pattern, from: output.length, resolve })
        check()
      }),
    output: () => output,
  }
}

describe('npx atomiton plugin dev', () => {
  it('installs, then rebuilds and reloads the package in the running host on every change', { timeout: 120_000 }, async () => {
    const dataDir = await temporaryFolder()
    const host = await createHost({
      plugins: builtinPlugins,
      stores: createConfStoreFactory({ directory: dataDir }),
      packages: { dir: join(dataDir, 'plugins'), hostModules, devReload: true },
      // The installer's own behaviour, in process (isolated packages: app/packages/isolation.test.ts).
      isolation: 'in-process',
    })
    hosts.push(host)
    const folder = await writePackage(await temporaryFolder(), { id: 'live', manifest: { scripts: { build: 'node build.mjs' } } })
    // The package's build: src/index.js -> dist/index.js.
    await writeFile(join(folder, 'build.mjs'), "import { cpSync, mkdirSync } from 'node:fs'\nmkdirSync('dist', { recursive: true })\ncpSync('src/index.js', 'dist/index.js')\n")
    await mkdir(join(folder, 'src'), { recursive: true })
    await writeFile(join(folder, 'src', 'index.js'), entrySource({ id: 'live' }))

    const child = spawn(process.execPath, [bin, 'plugin', 'dev', folder, '--data-dir', dataDir, '--yes'], { stdio: ['ignore', 'pipe', 'pipe'] })
    children.push(child)
    const cli = follow(child)
    await cli.next(/Reloaded live 1\.0\.0 in the running app/)
    await expect(host.call('live.hello', { name: 'Ada' })).resolves.toEqual({ greeting: 'hello Ada from 1.0.0' })

    const changed = cli.next(/Reloaded live 1\.0\.0 in the running app/)
    const source = await readFile(join(folder, 'src', 'index.js'), 'utf8')
    await writeFile(join(folder, 'src', 'index.js'), source.replace("'hello '", "'howdy '"))
    await changed
    await expect(host.call('live.hello', { name: 'Ada' })).resolves.toEqual({ greeting: 'howdy Ada from 1.0.0' })
    await expect(host.call('system.health')).resolves.toMatchObject({ status: 'ok' })

    // A change that asks for more permissions is refused; the running version stays.
    const refused = cli.next(/The app refused the reload: /)
    const manifest = JSON.parse(await readFile(join(folder, 'package.json'), 'utf8')) as { atomiton: { permissions: string[] } }
    manifest.atomiton.permissions = ['system.read']
    await writeFile(join(folder, 'package.json'), JSON.stringify(manifest))
    await refused
    await expect(host.call('live.hello', { name: 'Ada' })).resolves.toEqual({ greeting: 'howdy Ada from 1.0.0' })
  })
})
