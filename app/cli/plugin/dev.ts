/**
 * `npx atomiton plugin dev <dir> --data-dir <dir> [--yes]`: builds the package (`npm run build` in it), installs
 * it once (asking for its permissions, like `plugin install`), then on every file change rebuilds it and asks the
 * running app to reload it: a request file in `<data-dir>/plugins/.dev/` that the app answers (see
 * core/src/packages/dev-reload.ts): the old version is deactivated, the new one activated, everything else keeps
 * running. Stops on Ctrl+C.
 */
import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { watch } from 'node:fs'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join, resolve, sep } from 'node:path'
import { promisify } from 'node:util'
import { DEV_FOLDER, type DevResult } from '@atomiton/core/packages/dev-reload'
import { readManifest } from '@atomiton/core/packages/manifest'
import type { CliIo } from '../command'
import { offlinePackages } from '../offline-packages'
import { installPackage } from './install'
import { describeRefusal } from './refusal'

const run = promisify(execFile)
const IGNORED = ['node_modules', 'dist', '.git']

export interface DevOptions {
  readonly dir: string
  readonly dataDir: string
  readonly yes: boolean
  /** Ends the watch (tests); Ctrl+C otherwise. */
  readonly signal?: AbortSignal
}

async function build(dir: string, io: CliIo): Promise<boolean> {
  try {
    await run(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build'], { cwd: dir })
    return true
  } catch (error) {
    const output = error as { stdout?: string; stderr?: string; message: string }
    io.stderr.write(`The build failed:\n${output.stderr || output.stdout || output.message}\n`)
    return false
  }
}

export async function devPackage(options: DevOptions, io: CliIo): Promise<number> {
  const dir = resolve(io.cwd, options.dir)
  const dataDir = resolve(io.cwd, options.dataDir)
  let id: string
  try {
    id = (await readManifest(dir, `"${dir}"`)).id
  } catch (error) {
    io.stderr.write(`${describeRefusal(error)}\n`)
    return 1
  }
  if (!(await build(dir, io))) return 1
  const packages = offlinePackages(dataDir)
  if (!(await packages.installed()).some((installed) => installed.id === id)) {
    const code = await installPackage({ source: dir, dataDir, yes: options.yes }, io)
    if (code !== 0) return code
  }

  const devDir = join(packages.pluginsDir, DEV_FOLDER)
  await mkdir(devDir, { recursive: true })
  const resultFile = join(devDir, `${id}.result.json`)
  let expected = ''
  const results = watch(devDir, (_event, file) => {
    if (file !== `${id}.result.json`) return
    void readFile(resultFile, 'utf8').then((text) => {
      const result = JSON.parse(text) as DevResult
      if (result.nonce !== expected) return
      expected = ''
      io.stdout.write(result.ok ? `Reloaded ${id} ${result.version ?? ''} in the running app\n` : `The app refused the reload: ${result.message}\n`)
    }, () => undefined)
  })
  const requestReload = async (): Promise<void> => {
    expected = randomUUID()
    const file = join(devDir, `${id}.request.json`)
    await writeFile(`${file}.tmp`, JSON.stringify({ folder: dir, nonce: expected }))
    await rename(`${file}.tmp`, file)
    io.stdout.write(`Asked the running app to reload ${id} (start it with --data-dir ${dataDir} if it is not running)\n`)
  }

  let pending: Promise<void> = Promise.resolve()
  let timer: NodeJS.Timeout | undefined
  const sources = watch(dir, { recursive: true }, (_event, file) => {
    if (typeof file !== 'string' || IGNORED.some((name) => file === name || file.startsWith(`${name}${sep}`)) || file.endsWith('.tgz')) return
    clearTimeout(timer)
    timer = setTimeout(() => {
      pending = pending.then(async () => {
        io.stdout.write(`${file} changed: rebuilding\n`)
        if (await build(dir, io)) await requestReload()
      })
    }, 100)
  })
  await requestReload()
  io.stdout.write(`Watching ${dir} (Ctrl+C to stop)\n`)
  await new Promise<void>((done) => {
    const stop = (): void => done()
    options.signal?.addEventListener('abort', stop, { once: true })
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  clearTimeout(timer)
  sources.close()
  results.close()
  await pending
  return 0
}
