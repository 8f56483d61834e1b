/**
 * How a package loaded from the data folder gets the host's ONE copy of `@atomiton/plugin-sdk` and `zod`.
 *
 * A package is built with both left as bare imports (externals). Node resolves a bare import by walking up
 * from the importing file to the nearest `node_modules`; every package lives in `<plugins>/<id>/`, so the
 * host writes tiny shim packages into `<plugins>/node_modules/` whose modules re-export the host's own
 * module namespaces, handed over through a global registry (`Symbol.for('atomiton.hostModules')`):
 *
 *   <plugins>/node_modules/zod/index.js:   const m = globalThis[Symbol.for('atomiton.hostModules')]['zod']
 *                                           const _0 = m["z"]; ... export { _0 as z, ... }
 *
 * Why this and not an ESM loader hook (`module.register`) or an import map: it needs nothing from the
 * runtime but plain ESM resolution, so it behaves the same on Node 20, 22 and 24, inside a bundled Electron
 * main (where the SDK is not a file on disk at all, only part of the bundle) and in the CLI; it cannot leak
 * into the resolution of the app's own modules; and `RpcError`, `definePlugin` and zod's classes are the
 * host's very objects, so `instanceof` and schema checks agree on both sides.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/** Specifier (`zod`, `zod/v4`, `@atomiton/plugin-sdk`) -> the host's module namespace for it. */
export type HostModules = Readonly<Record<string, Readonly<Record<string, unknown>>>>

const REGISTRY = Symbol.for('atomiton.hostModules')
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/

/** Splits `@scope/name/sub` into the package name and the subpath (`.` or `./sub`). */
function splitSpecifier(specifier: string): { name: string; subpath: string } {
  const parts = specifier.split('/')
  const size = specifier.startsWith('@') ? 2 : 1
  const rest = parts.slice(size)
  return { name: parts.slice(0, size).join('/'), subpath: rest.length === 0 ? '.' : `./${rest.join('/')}` }
}

function shimSource(specifier: string, namespace: Readonly<Record<string, unknown>>): string {
  const names = Object.keys(namespace).filter((name) => name !== 'default' && IDENTIFIER.test(name))
  const lines = [
    '// Written by the Atomiton host: re-exports the host\'s own copy of this module (see core/src/packages/host-modules.ts).',
    `const m = globalThis[Symbol.for('atomiton.hostModules')]?.[${JSON.stringify(specifier)}]`,
    `if (!m) throw new Error(${JSON.stringify(`${specifier} is provided by the Atomiton host: load this package through the host`)})`,
    ...names.map((name, index) => `const _${index} = m[${JSON.stringify(name)}]`),
    `export { ${names.map((name, index) => `_${index} as ${name}`).join(', ')} }`,
  ]
  if ('default' in namespace) lines.push('export default m.default')
  return `${lines.join('\n')}\n`
}

async function writeIfChanged(file: string, content: string): Promise<void> {
  const current = await readFile(file, 'utf8').catch(() => undefined)
  if (current !== content) await writeFile(file, content)
}

/** Registers the host's modules and writes their shims under `<pluginsDir>/node_modules/`. Idempotent. */
export async function provideHostModules(pluginsDir: string, modules: HostModules): Promise<void> {
  const registry = ((globalThis as Record<symbol, unknown>)[REGISTRY] ??= {}) as Record<string, unknown>
  Object.assign(registry, modules)
  const packages = new Map<string, Map<string, string>>()
  for (const [specifier, namespace] of Object.entries(modules)) {
    const { name, subpath } = splitSpecifier(specifier)
    const subpaths = packages.get(name) ?? new Map<string, string>()
    subpaths.set(subpath, shimSource(specifier, namespace))
    packages.set(name, subpaths)
  }
  // Every shim package, and every file of one, at once: they are independent writes.
  await Promise.all(
    [...packages].map(async ([name, subpaths]) => {
      const folder = join(pluginsDir, 'node_modules', ...name.split('/'))
      await mkdir(folder, { recursive: true })
      const exports: Record<string, string> = {}
      const files = [...subpaths].map(([subpath, source], index) => {
        const file = subpath === '.' ? 'index.js' : `shim-${index}.js`
        exports[subpath] = `./${file}`
        return writeIfChanged(join(folder, file), source)
      })
      const manifest = { name, version: '0.0.0-atomiton-host', private: true, type: 'module', exports }
      await Promise.all([...files, writeIfChanged(join(folder, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)])
    }),
  )
}
