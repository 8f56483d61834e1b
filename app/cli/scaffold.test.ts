/**
 * `npx atomiton plugin new`'s output passes its own tests from a fresh copy: npm install (the SDK linked from
 * this checkout, the tools from the npm cache or the registry), npm test, npm pack; and the packed package
 * installs into a host and answers. Bounded: one npm install and one vitest run.
 */
import { execFile } from 'node:child_process'
import { cp, readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { createHost } from '@atomiton/core/host/create-host'
import { builtinPlugins } from '@atomiton/plugins'
import { hostModules } from '../common/host-modules'
import { temporaryFolder } from '../test-support/plugin-packages'

const run = promisify(execFile)
const bin = fileURLToPath(new URL('../../bin/atomiton.mjs', import.meta.url))
const npm = (args: string[], cwd: string) => run('npm', args, { cwd, env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' } })

describe('npx atomiton plugin new', () => {
  it('writes a package whose own tests pass from a fresh copy, and whose npm pack installs and answers', { timeout: 300_000 }, async () => {
    const work = await temporaryFolder('atomiton-scaffold-')
    await run(process.execPath, [bin, 'plugin', 'new', join(work, 'original'), '--id', 'greeter'])
    const fresh = join(work, 'copy')
    await cp(join(work, 'original'), fresh, { recursive: true })
    expect((await readdir(fresh)).sort()).toEqual(['.gitignore', 'README.md', 'build.mjs', 'package.json', 'src', 'test', 'tsconfig.json', 'vitest.config.ts'])

    await npm(['install', '--prefer-offline'], fresh)
    const tested = await npm(['test'], fresh)
    expect(tested.stdout).toMatch(/Tests\s+.*2 passed/)
    const { stdout } = await npm(['pack', '--json'], fresh)
    const [{ filename }] = JSON.parse(stdout.slice(stdout.indexOf('['))) as [{ filename: string }]

    const dataDir = await temporaryFolder()
    const host = await createHost({ plugins: builtinPlugins, packages: { dir: join(dataDir, 'plugins'), hostModules }, isolation: 'in-process' })
    try {
      const archive = new Uint8Array(await readFile(join(fresh, filename)))
      const inspection = (await host.call('system.inspectPackage', { archive })) as { stagingId: string; settingsSchema?: unknown }
      expect(inspection).toMatchObject({ id: 'greeter', version: '0.1.0', permissions: [], settingsSchema: { properties: { greeting: { default: 'Hello' } } } })
      await host.call('system.installPlugin', { stagingId: inspection.stagingId, approvedPermissions: [] })
      await expect(host.call('greeter.hello', { name: 'Ada' })).resolves.toEqual({ message: 'Hello, Ada!' })
    } finally {
      await host.dispose()
    }
  })
})
