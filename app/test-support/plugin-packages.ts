/**
 * Real plugin packages for tests: a folder with a package.json (the `atomiton` field) and a built ESM entry
 * that imports `@atomiton/plugin-sdk` and `zod` as bare imports, exactly as a package built by the scaffold;
 * `packTarball` runs the real `npm pack` on it.
 */
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import * as tar from 'tar'

const run = promisify(execFile)

export interface PackageSpec {
  readonly id: string
  readonly version?: string
  readonly name?: string
  readonly permissions?: readonly string[]
  /** How many `echoN` procedures besides `hello` (the bench's 50-procedure package). */
  readonly procedures?: number
  /** JavaScript run inside `setup(ctx)`. */
  readonly setup?: string
  /** JavaScript at the top of the entry module (e.g. `throw new Error('boom')`). */
  readonly prelude?: string
  /** Replaces the default export expression. */
  readonly defaultExport?: string
  readonly dependencies?: readonly string[]
  /** Merged into package.json's `atomiton` field (`api`, `entry`, ...). */
  readonly atomiton?: Record<string, unknown>
  /** Merged into package.json. */
  readonly manifest?: Record<string, unknown>
  /** Written as package.json instead of the manifest (unparsable cases). */
  readonly rawManifest?: string
}

export function entrySource(spec: PackageSpec): string {
  const version = spec.version ?? '1.0.0'
  const echoes = Array.from({ length: spec.procedures ?? 0 }, (_, i) =>
    `    echo${i}: p.procedure({ input: z.object({ n: z.number() }), expose: true, handler: ({ n }) => ({ n, i: ${i} }) }),`,
  ).join('\n')
  const definition =
    spec.defaultExport ??
    `definePlugin({
  id: ${JSON.stringify(spec.id)},
  version: ${JSON.stringify(version)},
  description: 'A test package',
  permissions: ${JSON.stringify(spec.permissions ?? [])},
  dependencies: ${JSON.stringify(spec.dependencies ?? [])},
  hostServices: ['stores'],
  events: { greeted: event({ payload: z.object({ name: z.string() }), expose: true }) },
  procedures: (p) => ({
    hello: p.procedure({
      input: z.object({ name: z.string().min(1) }),
      expose: true,
      handler: ({ name }, ctx) => {
        ctx.emit('greeted', { name })
        return { greeting: 'hello ' + name + ' from ' + ${JSON.stringify(version)} }
      },
    }),
    remember: p.procedure({
      input: z.object({ key: z.string(), value: z.string() }),
      expose: true,
      handler: ({ key, value }, ctx) => { ctx.services.stores.open('notes').set(key, value); return { ok: true } },
    }),
    recall: p.procedure({
      input: z.object({ key: z.string() }),
      expose: true,
      handler: ({ key }, ctx) => {
        const value = ctx.services.stores.open('notes').get(key)
        if (value === undefined) throw new RpcError('NOT_FOUND', 'No note ' + key)
        return { value }
      },
    }),
${echoes}
  }),
  setup(ctx) {
${spec.setup ?? ''}
  },
})`
  return `import { definePlugin, event, RpcError } from '@atomiton/plugin-sdk'
import { z } from 'zod'
${spec.prelude ?? ''}
export default ${definition}
`
}

/** Writes the package into `folder` (created) and returns it. */
export async function writePackage(folder: string, spec: PackageSpec): Promise<string> {
  await mkdir(join(folder, 'dist'), { recursive: true })
  const manifest = {
    name: spec.name ?? `atomiton-plugin-${spec.id.toLowerCase()}`,
    version: spec.version ?? '1.0.0',
    description: 'A test package',
    type: 'module',
    files: ['dist'],
    atomiton: { id: spec.id, entry: 'dist/index.js', api: '^1.0.0', permissions: spec.permissions ?? [], ...spec.atomiton },
    peerDependencies: { '@atomiton/plugin-sdk': '^1.0.0', zod: '^4.0.0' },
    ...spec.manifest,
  }
  await writeFile(join(folder, 'package.json'), spec.rawManifest ?? `${JSON.stringify(manifest, null, 2)}\n`)
  await writeFile(join(folder, 'dist', 'index.js'), entrySource(spec))
  return folder
}

/** A fresh temporary folder. */
export function temporaryFolder(prefix = 'atomiton-pkg-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix))
}

/** `npm pack` of `folder` into a temporary folder; returns the tarball's path. */
export async function packTarball(folder: string): Promise<string> {
  const destination = await temporaryFolder('atomiton-tgz-')
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', destination, '--ignore-scripts'], { cwd: folder })
  const [packed] = JSON.parse(stdout) as { filename: string }[]
  return join(destination, packed!.filename)
}

const packed = new Map<string, Promise<Uint8Array>>()

/**
 * A package written to a temporary folder and packed by `npm pack` (the same spec is packed once per test
 * file): the tarball's bytes. A package.json that npm itself cannot read (`rawManifest`) is packed with
 * `tar` into the same layout (`package/...`), since `npm pack` refuses it.
 */
export function tarballOf(spec: PackageSpec): Promise<Uint8Array> {
  const key = JSON.stringify(spec)
  let bytes = packed.get(key)
  if (!bytes) {
    bytes = (async () => {
      const root = await temporaryFolder()
      if (spec.rawManifest === undefined) return new Uint8Array(await readFile(await packTarball(await writePackage(root, spec))))
      await writePackage(join(root, 'package'), spec)
      const file = join(root, 'package.tgz')
      await tar.c({ gzip: true, cwd: root, file, portable: true }, ['package'])
      return new Uint8Array(await readFile(file))
    })()
    packed.set(key, bytes)
  }
  return bytes
}
