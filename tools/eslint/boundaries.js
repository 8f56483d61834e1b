/**
 * The architecture, as a lint rule that fails the build:
 * - plugins/<name>/ imports only `zod`, `@atomiton/plugin-sdk` (its `/contracts`; `/testing`, `vitest` in tests) and its
 *   own files: never core, another plugin, app, Node built-ins or other packages.
 * - core/ and plugin-sdk/ never import Electron (nor electron-store), app/ or plugins/; core never
 *   imports plugin-sdk (the SDK is built on core, not the other way round).
 * - app/renderer/ never imports Electron or Node built-ins, and reaches the kernel only through
 *   `@atomiton/core/client`, `@atomiton/core/common/*` and the WebSocket bridge of browser mode
 *   (`@atomiton/core/transports/websocket`, not its Node server), and the conductor facade (app/conductor)
 *   (type-only imports of anything are fine: they
 *   vanish at build time, which is how the client's types come from the plugins' definitions).
 */
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '../..')

function areaOf(file) {
  const rel = path.relative(root, file).split(path.sep)
  if (rel[0] === 'plugins' && rel.length > 2) return { area: 'plugin', plugin: rel[1] }
  if (rel[0] === 'core') return { area: 'core' }
  if (rel[0] === 'plugin-sdk') return { area: 'plugin-sdk' }
  if (rel[0] === 'app' && rel[1] === 'renderer') return { area: 'renderer' }
  if (rel[0] === 'app') return { area: 'app' }
  return { area: 'other' }
}

function targetOf(source, file) {
  if (source.startsWith('.')) return { kind: 'file', path: path.relative(root, path.resolve(path.dirname(file), source)) }
  if (source.startsWith('@atomiton/core')) return { kind: 'file', path: 'core/src' + source.slice('@atomiton/core'.length) }
  if (source.startsWith('@atomiton/plugin-sdk')) return { kind: 'file', path: 'plugin-sdk/src' + source.slice('@atomiton/plugin-sdk'.length) }
  if (source.startsWith('@atomiton/plugins')) return { kind: 'file', path: 'plugins' }
  return { kind: 'package', name: source }
}

/** The SDK modules that give plugins a confined piece of the host (see plugin-sdk/README.md). */
const capabilityModules = ['plugin-sdk/src/sandbox', 'plugin-sdk/src/files', 'plugin-sdk/src/process']

/** The one library a plugin pack is built on, besides the SDK and zod. */
const pluginLibraries = { data: ['papaparse'], workflow: ['croner'] }

const isTest = (file) =>
  /\.(test|test-d|spec)\.ts$/.test(file) || file.includes(`${path.sep}test${path.sep}`) || file.includes(`${path.sep}test-support${path.sep}`)
const isElectron = (name) => name === 'electron' || name.startsWith('electron/') || name === 'electron-store'
const isNodeBuiltin = (name) => name.startsWith('node:')

function problem(source, file, typeOnly) {
  const { area, plugin } = areaOf(file)
  const target = targetOf(source, file)
  const test = isTest(file)
  if (area === 'plugin') {
    if (target.kind === 'package') {
      const allowed = ['zod', '@atomiton/plugin-sdk', ...(pluginLibraries[plugin] ?? [])].concat(test ? ['vitest'] : [])
      return allowed.includes(target.name) ? null : `a plugin imports only @atomiton/plugin-sdk and zod (found "${source}")`
    }
    if (target.path.startsWith(`plugins/${plugin}/`) || target.path === `plugins/${plugin}`) return null
    if (target.path === 'plugin-sdk/src' || target.path === 'plugin-sdk/src/index') return null
    // The built-ins' contracts: a plugin imports another's API (and its own) without importing its code.
    if (target.path === 'plugin-sdk/src/contracts' || /^plugin-sdk\/src\/contracts\/[a-z][a-zA-Z0-9]*$/.test(target.path)) return null
    // The SDK's host capabilities: the sandbox for a person's code (WebAssembly QuickJS), the file system
    // confined to granted folders, programs run without a shell. Plugins reach Node only through these.
    if (capabilityModules.includes(target.path)) return null
    if (test && target.path === 'plugin-sdk/src/testing') return null
    return `a plugin imports only @atomiton/plugin-sdk and zod, not "${source}"`
  }
  if (area === 'core' || area === 'plugin-sdk') {
    if (target.kind === 'package') return isElectron(target.name) ? `${area}/ must not import Electron ("${source}"): only app/ knows about it` : null
    if (target.path.startsWith('app/') || target.path.startsWith('plugins')) return `${area}/ must not import app/ or plugins/ ("${source}")`
    // The kernel's own tests may use the SDK's test harness; the kernel itself never depends on the SDK.
    if (area === 'core' && target.path.startsWith('plugin-sdk') && !(test && target.path === 'plugin-sdk/src/testing')) {
      return `core/ must not import plugin-sdk/ ("${source}")`
    }
    return null
  }
  if (area === 'renderer') {
    if (target.kind === 'package') {
      if (isElectron(target.name) || isNodeBuiltin(target.name)) return `the renderer cannot import "${source}"`
      return null
    }
    if (typeOnly) return null
    // The renderer's own tests run its stores on the real kernel and plugins through the SDK's test host
    // (and may define a fixture plugin with the SDK, e.g. one with settings, which no built-in has).
    if (isTest(file) && (target.path === 'plugin-sdk/src/testing' || target.path === 'plugin-sdk/src' || target.path === 'plugins')) return null
    if (target.path.startsWith('app/renderer') || target.path.startsWith('core/src/client') || target.path.startsWith('core/src/common')) return null
    // The browser-mode bridge (browser-safe); its Node server half lives in websocket/server.
    if (target.path.startsWith('core/src/transports/websocket') && !target.path.endsWith('/server')) return null
    if (target.path === 'app/bridge.d' || target.path.startsWith('app/common') || target.path.startsWith('app/conductor')) return null
    return `the renderer reaches the kernel only through @atomiton/core/client (found "${source}"; use \`import type\` for types)`
  }
  return null
}

const rule = {
  meta: { type: 'problem', docs: { description: 'Keeps each area to the imports it may use' }, schema: [] },
  create(context) {
    const file = context.filename
    const check = (node, source, typeOnly) => {
      const message = problem(source, file, typeOnly)
      if (message) context.report({ node, message })
    }
    return {
      ImportDeclaration(node) {
        const typeOnly = node.importKind === 'type' || (node.specifiers.length > 0 && node.specifiers.every((s) => s.importKind === 'type'))
        check(node, node.source.value, typeOnly)
      },
      ExportNamedDeclaration(node) {
        if (node.source) check(node, node.source.value, node.exportKind === 'type')
      },
      ExportAllDeclaration(node) {
        check(node, node.source.value, node.exportKind === 'type')
      },
      ImportExpression(node) {
        if (node.source.type === 'Literal' && typeof node.source.value === 'string') check(node, node.source.value, false)
      },
    }
  },
}

export default { rules: { imports: rule } }
