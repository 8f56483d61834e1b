/**
 * Where the Chromium that the end-to-end tests (and anything else that launches one) drive comes from.
 * One lookup, so a fresh clone's `npm install` + `npm test` needs no browser installed by hand:
 *
 * 1. `CHROMIUM_PATH`, when set (it must point at an executable: a wrong setting is an error, not a silent
 *    fallback).
 * 2. A system Chrome or Chromium at the usual places of Linux, macOS and Windows, or on `PATH`.
 * 3. Otherwise the headless Chromium shipped inside the `@sparticuz/chromium` devDependency (Linux x64): it
 *    is unpacked once into `node_modules/.cache/atomiton-chromium/<version>/` (about 3 s, 210 MB).
 *
 * `ATOMITON_BUNDLED_CHROMIUM=1` skips step 2 (that is how the bundled path is tested on a machine that has
 * a system browser). The package is picked because it ships the browser inside the npm tarball: no download
 * from outside the registry at install or test time (playwright's `install` downloads from a CDN, which a
 * machine that only reaches the npm registry cannot do).
 */
import { spawnSync, execFile } from 'node:child_process'
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { delimiter, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { repoRootFrom } from '../repo-root'

export interface ChromiumLaunch {
  /** The browser binary to hand to playwright-core's `chromium.launch({ executablePath })`. */
  readonly executablePath: string
  /** Command-line flags for that binary. */
  readonly args: readonly string[]
  /** Extra environment for the browser process (the bundled one may need its own shared libraries). */
  readonly env: Readonly<Record<string, string>>
  /** Where it came from, for messages. */
  readonly source: 'CHROMIUM_PATH' | 'system' | 'bundled'
}

/**
 * Headless, and quiet on a closed network: without the background-networking flags Chromium keeps trying
 * to reach Google's services. No sandbox: CI containers run as root, where Chromium's sandbox cannot start.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

/**
 * `@sparticuz/chromium`'s own flags (made for AWS Lambda) that must not reach a test browser: three turn off
 * the web security the end-to-end tests check (same-origin policy, mixed content, site isolation), and
 * `--single-process` makes closing one browser context kill the whole browser.
 */
const UNFIT_BUNDLED_ARGS = new Set(['--disable-web-security', '--allow-running-insecure-content', '--disable-site-isolation-trials', '--single-process'])

const repoRoot = repoRootFrom(import.meta.url)
const packageDir = join(repoRoot, 'node_modules', '@sparticuz', 'chromium')
const cacheRoot = join(repoRoot, 'node_modules', '.cache', 'atomiton-chromium')

type Env = Readonly<Record<string, string | undefined>>

/** The places a system browser lives, first match wins. */
export function systemCandidates(platform: NodeJS.Platform = process.platform, env: Env = process.env): string[] {
  const onPath = (names: readonly string[]) =>
    (env['PATH'] ?? '')
      .split(delimiter)
      .filter((dir) => dir !== '')
      .flatMap((dir) => names.map((name) => join(dir, name)))
  if (platform === 'darwin') {
    const apps = ['Google Chrome.app/Contents/MacOS/Google Chrome', 'Chromium.app/Contents/MacOS/Chromium', 'Google Chrome Canary.app/Contents/MacOS/Google Chrome Canary']
    return [...apps.map((app) => join('/Applications', app)), ...apps.map((app) => join(homedir(), 'Applications', app))]
  }
  if (platform === 'win32') {
    const roots = [env['PROGRAMFILES'], env['PROGRAMFILES(X86)'], env['LOCALAPPDATA']].filter((root): root is string => !!root)
    return roots.flatMap((root) => [join(root, 'Google', 'Chrome', 'Application', 'chrome.exe'), join(root, 'Chromium', 'Application', 'chrome.exe')])
  }
  const names = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']
  return [...names.map((name) => join('/usr/bin', name)), ...onPath(names)]
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK)
    return statSync(file).isFile()
  } catch {
    return false
  }
}

/** Finds a Chromium to launch; unpacks the bundled one when no other is there. */
export async function findChromium(env: Env = process.env): Promise<ChromiumLaunch> {
  const configured = env['CHROMIUM_PATH']
  if (configured) {
    if (!isExecutable(configured)) throw new Error(`CHROMIUM_PATH is set to ${configured}, which is not an executable file.`)
    return { executablePath: configured, args: CHROMIUM_ARGS, env: {}, source: 'CHROMIUM_PATH' }
  }
  if (env['ATOMITON_BUNDLED_CHROMIUM'] !== '1') {
    const found = systemCandidates(process.platform, env).find(isExecutable)
    if (found) return { executablePath: found, args: CHROMIUM_ARGS, env: {}, source: 'system' }
  }
  return bundledChromium()
}

/** The headless Chromium inside `@sparticuz/chromium`, unpacked once per version. */
export async function bundledChromium(): Promise<ChromiumLaunch> {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `No Chrome or Chromium found, and the bundled one (@sparticuz/chromium) runs on Linux x64 only (this is ${process.platform} ${process.arch}). ` +
        'Install Google Chrome or Chromium, or set CHROMIUM_PATH to its binary.',
    )
  }
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string }
  const dir = join(cacheRoot, version)
  if (!existsSync(join(dir, 'chromium'))) await unpack(dir)
  const { default: sparticuz } = (await import('@sparticuz/chromium')) as { default: { args: string[] } }
  const args = [...new Set([...sparticuz.args.filter((arg) => !UNFIT_BUNDLED_ARGS.has(arg)), ...CHROMIUM_ARGS])]
  const executablePath = join(dir, 'chromium')
  return { executablePath, args, env: libraryEnv(executablePath, dir), source: 'bundled' }
}

/**
 * Unpacks into a staging folder, then renames it into place: a run killed halfway leaves a `.partial-*`
 * folder that is never taken for a browser (the package itself would trust a half-written binary).
 * The package unpacks into `os.tmpdir()`, so it runs in a child process whose TMPDIR is the staging folder.
 */
async function unpack(dir: string): Promise<void> {
  mkdirSync(cacheRoot, { recursive: true })
  removeStalePartials()
  const staging = `${dir}.partial-${process.pid}-${Date.now()}`
  mkdirSync(staging)
  const script = [
    'const [entry, libraries] = process.argv.slice(1)',
    'const { default: chromium, inflate } = await import(entry)',
    'await chromium.executablePath()',
    // Amazon Linux's copies of the few shared libraries the binary needs (NSS, NSPR, expat): used only when
    // the machine has none (see libraryEnv).
    'await inflate(libraries)',
  ].join('\n')
  try {
    await promisify(execFile)(
      process.execPath,
      ['--input-type=module', '-e', script, pathToFileURL(join(packageDir, 'build', 'index.js')).href, join(packageDir, 'bin', 'al2023.tar.br')],
      { env: { ...process.env, TMPDIR: staging, TMP: staging, TEMP: staging } },
    )
    renameSync(staging, dir)
  } catch (error) {
    rmSync(staging, { recursive: true, force: true })
    // Another process unpacked the same version first: use theirs.
    if (existsSync(join(dir, 'chromium'))) return
    throw error
  }
}

/** Staging folders of runs that were killed (older than ten minutes, so a run in progress keeps its own). */
function removeStalePartials(): void {
  for (const name of readdirSync(cacheRoot)) {
    const path = join(cacheRoot, name)
    if (name.includes('.partial-') && Date.now() - statSync(path).mtimeMs > 600_000) rmSync(path, { recursive: true, force: true })
  }
}

/**
 * The system's shared libraries when they are there (they match its C library); the bundled Amazon Linux
 * copies only when the binary cannot start without them (a machine with no NSS installed).
 */
function libraryEnv(executablePath: string, dir: string): Record<string, string> {
  if (spawnSync(executablePath, ['--version']).status === 0) return {}
  const libraries = join(dir, 'al2023', 'lib')
  const withLibraries = { LD_LIBRARY_PATH: [libraries, process.env['LD_LIBRARY_PATH']].filter(Boolean).join(delimiter) }
  const probe = spawnSync(executablePath, ['--version'], { env: { ...process.env, ...withLibraries }, encoding: 'utf8' })
  if (probe.status !== 0) throw new Error(`The bundled Chromium at ${executablePath} cannot start: ${probe.stderr.trim()}`)
  return withLibraries
}
