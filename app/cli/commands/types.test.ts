// `atomiton types`: the generated .d.ts loads in tsc and types a client against what the host serves.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable, Writable } from 'node:stream'
import ts from 'typescript'
import { describe, expect, it, onTestFinished } from 'vitest'
import { z } from 'zod'
import { definePlugin, event } from '@atomiton/core/plugin/definition'
import { builtinPlugins } from '@atomiton/plugins'
import type { AnyPluginDefinition } from '@atomiton/core/plugin/definition'
import type { CliIo } from '../command'
import { runCli } from '../main'
import { createTypesCommand } from './types'

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'atomiton-types-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

function collector(into: string[]): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      into.push(chunk.toString())
      done()
    },
  })
}

/** The process's streams as the CLI gets them, captured. */
function capture(): { io: CliIo; out: string[]; err: string[] } {
  const out: string[] = []
  const err: string[] = []
  return { io: { stdout: collector(out), stderr: collector(err), stdin: Readable.from([]), cwd: process.cwd() }, out, err }
}

/** `atomiton types` booting these plugins instead of the built-ins (no data dir: no installed packages). */
function types(plugins: readonly AnyPluginDefinition[], args: string[]) {
  const { io, out, err } = capture()
  return { code: createTypesCommand({ plugins }).run(args, io), out, err }
}

/** Type-checks `files` with the compiler API (strict, as the repo is); the diagnostics, as text. */
function typeCheck(dir: string, files: Record<string, string>): string[] {
  // The file needs an AbortSignal from its environment (DOM or @types/node); a stub keeps the check fast.
  const all = { ...files, 'environment.d.ts': 'declare interface AbortSignal { readonly aborted: boolean }\n' }
  for (const [name, text] of Object.entries(all)) writeFileSync(join(dir, name), text)
  const program = ts.createProgram(
    Object.keys(all).map((name) => join(dir, name)),
    { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, lib: ['lib.es2022.d.ts'], types: [] },
  )
  return ts.getPreEmitDiagnostics(program).map((d) => `${d.file ? `${d.file.fileName.slice(dir.length + 1)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: ` : ''}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`)
}

/** A plugin with the shapes zod's JSON Schema has: unions, tuples, records, recursion, enums, nullables. */
interface Tree {
  name: string
  children: Tree[]
}
const Tree: z.ZodType<Tree> = z.object({ name: z.string(), get children() { return z.array(Tree) } })
const shapesPlugin = definePlugin({
  id: 'shapes',
  version: '1.0.0',
  description: 'Every shape */ the printer knows',
  events: { grown: event({ payload: z.object({ tree: Tree, at: z.number() }), expose: true }), hidden: event({ payload: z.string() }) },
  procedures: (p) => ({
    mix: p.procedure({
      description: 'Mixes things',
      input: z.object({
        'odd-key': z.string(),
        kind: z.enum(['a', 'b']),
        pair: z.tuple([z.string(), z.number()]),
        scores: z.record(z.string(), z.number()),
        maybe: z.number().nullable(),
        either: z.union([z.string(), z.boolean()]),
        limit: z.number().int().default(10),
        tree: Tree,
      }),
      output: z.discriminatedUnion('ok', [z.object({ ok: z.literal(true), value: z.string() }), z.object({ ok: z.literal(false), error: z.string() })]),
      expose: true,
    }).handler(() => ({ ok: true as const, value: 'x' })),
    secret: p.procedure({ output: z.string(), handler: () => 'internal' }),
  }),
})

const consumer = `import type { AtomitonClient, AtomitonEvents, AtomitonProcedures } from './atomiton'
declare const rpc: AtomitonClient
export async function use(): Promise<void> {
  const keys: string[] = await rpc.storage.keys({ namespace: 'notes' })
  const deleted: boolean = await rpc.storage.delete({ namespace: 'notes', key: 'a' })
  const started: { executionId: string } = await rpc.node.start({ type: 'core.constant' })
  await rpc.system.health()
  const mixed = await rpc.shapes.mix({ 'odd-key': 'x', kind: 'a', pair: ['a', 1], scores: { a: 1 }, maybe: null, either: true, tree: { name: 'r', children: [{ name: 'c', children: [] }] } })
  if (mixed.ok) { const value: string = mixed.value; void value } else { const error: string = mixed.error; void error }
  rpc.$on('shapes.grown', (payload) => { const name: string = payload.tree.children[0]!.name; void name })
  const op: AtomitonEvents['storage.changed']['op'] = 'set'
  const input: AtomitonProcedures['shapes.mix']['input']['kind'] = 'b'
  void keys; void deleted; void started; void op; void input
  // @ts-expect-error a wrong input: a namespace is a string
  await rpc.storage.keys({ namespace: 1 })
  // @ts-expect-error an unknown method
  await rpc.storage.rename({})
  // @ts-expect-error not exposed: main and plugins only
  await rpc.shapes.secret()
  // @ts-expect-error not one of the enum's values
  await rpc.shapes.mix({ 'odd-key': 'x', kind: 'c', pair: ['a', 1], scores: {}, maybe: 1, either: 'y', tree: { name: 'r', children: [] } })
  // @ts-expect-error an unknown event
  rpc.$on('shapes.hidden', () => undefined)
}
`

describe('atomiton types', () => {
  it('writes a .d.ts that tsc loads and that types a client against the built-ins and any other loaded plugin', async () => {
    const dir = tempDir()
    const { code, out, err } = types([...builtinPlugins, shapesPlugin], ['--out', join(dir, 'atomiton.d.ts'), '--data-dir', join(dir, 'data')])
    expect(await code).toBe(0)
    expect(err).toEqual([])
    expect(out.join('')).toContain('atomiton.d.ts')
    const text = readFileSync(join(dir, 'atomiton.d.ts'), 'utf8')
    // Every exposed procedure of every built-in is there, derived from the definitions.
    for (const plugin of builtinPlugins) {
      for (const [name, procedure] of Object.entries(plugin.procedures)) {
        if (procedure.expose) expect(text, `${plugin.id}.${name}`).toContain(`"${plugin.id}.${name}"`)
      }
    }
    expect(text).not.toContain('shapes.secret')
    expect(typeCheck(dir, { 'atomiton.d.ts': text, 'consumer.ts': consumer })).toEqual([])
  }, 60_000)

  it('includes what only main and plugins may call with --internal', async () => {
    const dir = tempDir()
    expect(await types([shapesPlugin], ['--out', join(dir, 'all.d.ts'), '--internal']).code).toBe(0)
    const text = readFileSync(join(dir, 'all.d.ts'), 'utf8')
    expect(text).toContain('"shapes.secret"')
    expect(text).toContain('"shapes.hidden"')
    expect(typeCheck(dir, { 'all.d.ts': text, 'check.ts': `import type { AtomitonClient } from './all'\ndeclare const rpc: AtomitonClient\nexport const s: Promise<string> = rpc.shapes.secret()\n` })).toEqual([])
  }, 60_000)

  it('refuses bad arguments with the usage and exit code 2, and reports a failure with 1 (through the dispatcher)', async () => {
    for (const args of [[], ['--out'], ['--out', 'types.ts'], ['--nope'], ['stray'], ['--out', 'a.d.ts', '--internal=yes'], ['--out', 'a.d.ts', '--data-dir', '']]) {
      const { io, err } = capture()
      expect(await runCli(['types', ...args], io), args.join(' ')).toBe(2)
      expect(err.join('')).toContain('Usage: npx atomiton types')
    }
    const dir = tempDir()
    writeFileSync(join(dir, 'file'), '')
    const failed = types([shapesPlugin], ['--out', join(dir, 'file', 'x.d.ts')])
    expect(await failed.code).toBe(1)
    expect(failed.err.join('')).toMatch(/^atomiton types: /)
    const help = capture()
    expect(await runCli(['types', '--help'], help.io)).toBe(0)
    expect(help.out.join('')).toContain('--data-dir')
    const list = capture()
    expect(await runCli(['--help'], list.io)).toBe(0)
    expect(list.out.join('')).toMatch(/^ {2}types +write the TypeScript types/m)
  })
})
