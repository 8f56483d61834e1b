/**
 * Builds the renderer for the end-to-end tests with the project's own `electron.vite.config.ts`: its
 * renderer section is resolved by electron-vite exactly as `electron-vite build` does it, then built
 * alone with vite (main and preload are not needed to serve a browser), into `out/e2e/renderer`.
 *
 * The `e2e` project's globalSetup builds it once, before any worker starts (a stamp, a digest of every
 * input file's path, size and mtime, skips the build when nothing changed since the last one); test
 * files only ask where it is.
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { repoRootFrom } from '../../../tools/repo-root'

export const repoRoot = repoRootFrom(import.meta.url)
export const e2eRendererDir = join(repoRoot, 'out', 'e2e', 'renderer')
const stampFile = join(repoRoot, 'out', 'e2e', 'renderer.stamp')

/** What the bundle is made of: the renderer, the core modules it imports, the configs, the lock file. */
const INPUTS = ['app/renderer', 'app/conductor', 'app/common', 'app/bridge.d.ts', 'core/src/client', 'core/src/common', 'core/src/transports/websocket', 'electron.vite.config.ts', 'aliases.ts', 'package-lock.json']

function* files(path: string): Generator<string> {
  const stat = statSync(path, { throwIfNoEntry: false })
  if (!stat) return
  if (!stat.isDirectory()) {
    yield path
    return
  }
  for (const entry of readdirSync(path).sort()) {
    if (entry === 'node_modules' || entry.endsWith('.test.ts')) continue
    yield* files(join(path, entry))
  }
}

export function inputDigest(): string {
  const hash = createHash('sha256')
  for (const input of INPUTS) {
    for (const file of files(join(repoRoot, input))) {
      const stat = statSync(file)
      hash.update(`${relative(repoRoot, file)}:${stat.size}:${stat.mtimeMs}\n`)
    }
  }
  return hash.digest('hex')
}

async function build(outDir: string): Promise<void> {
  const { resolveConfig } = await import('electron-vite')
  const { build: viteBuild, mergeConfig } = await import('vite')
  // electron-vite sets these for a production build; they are put back so the rest of this worker (the
  // host of browser mode runs here too) keeps the test environment.
  const saved = { NODE_ENV: process.env['NODE_ENV'], NODE_ENV_ELECTRON_VITE: process.env['NODE_ENV_ELECTRON_VITE'] }
  process.env['NODE_ENV_ELECTRON_VITE'] = 'production'
  try {
    const resolved = await resolveConfig({ configFile: join(repoRoot, 'electron.vite.config.ts'), logLevel: 'warn' }, 'build', 'production')
    const renderer = resolved.config?.renderer
    if (!renderer) throw new Error('electron.vite.config.ts has no renderer section')
    await viteBuild(mergeConfig(renderer, { configFile: false, logLevel: 'warn', build: { outDir, emptyOutDir: true } }))
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  }
}

function isFresh(): boolean {
  return existsSync(join(e2eRendererDir, 'index.html')) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === inputDigest()
}

/** Builds `out/e2e/renderer` unless an up-to-date build is there. Run once, by the globalSetup. */
export async function ensureRendererBuilt(): Promise<string> {
  if (isFresh()) return e2eRendererDir
  mkdirSync(join(repoRoot, 'out', 'e2e'), { recursive: true })
  const digest = inputDigest()
  await build(e2eRendererDir)
  writeFileSync(stampFile, digest)
  return e2eRendererDir
}

/** The renderer the globalSetup built; a clear error when a test file runs without it. */
export function builtRendererDir(): string {
  if (!existsSync(join(e2eRendererDir, 'index.html'))) {
    throw new Error('The renderer is not built: run the end-to-end tests through their vitest project (`npx vitest --project e2e`), whose globalSetup builds it')
  }
  return e2eRendererDir
}
