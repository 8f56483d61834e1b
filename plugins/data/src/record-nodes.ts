/**
 * Operations on lists of records: select, set, rename, sort, group, merge (plain code), and map and filter
 * (an expression per item, evaluated in the SDK's WebAssembly sandbox with `item` and `index` in scope).
 */
import { z } from 'zod'
import { RpcError } from '@atomiton/plugin-sdk'
import type { SandboxHolder, ScriptErrorData } from '@atomiton/plugin-sdk/sandbox'
import { deleteField, getField, setField, splitField, type JsonRecord } from './fields'
import type { DataSettings } from './settings'

interface NodeContext {
  readonly signal: AbortSignal
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, data?: unknown): void
  progress(fraction: number, message?: string): void
}

const MAX_ITEMS = 1_000_000
const record = z.record(z.string(), z.json())
const records = z.array(record).max(MAX_ITEMS)
type Json = z.core.util.JSONType
type Records = Record<string, Json>[]

// ---- select, set, rename ----

export const selectInput = z.object({
  items: records,
  fields: z.array(z.string().min(1)).min(1).describe('Field paths to keep, e.g. "name", "address.city"'),
})

export function select({ items, fields }: z.output<typeof selectInput>): { items: Records } {
  const paths = fields.map((field, index) => ({ field, segments: splitField(field, ['fields', index]) }))
  return {
    items: items.map((item) => {
      let out: JsonRecord = {}
      for (const { segments } of paths) {
        const value = getField(item, segments)
        if (value !== undefined) out = setField(out, segments, value)
      }
      return out as Record<string, Json>
    }),
  }
}

export const setInput = z.object({
  items: records,
  values: z.record(z.string(), z.json()).describe('Field path -> value, set on every item'),
  remove: z.array(z.string()).default([]).describe('Field paths to remove from every item'),
})

export function setFields({ items, values, remove }: z.output<typeof setInput>): { items: Records } {
  const sets = Object.entries(values).map(([field, value]) => ({ segments: splitField(field, ['values', field]), value }))
  const removals = remove.map((field, index) => splitField(field, ['remove', index]))
  return {
    items: items.map((item) => {
      let out: JsonRecord = item
      for (const { segments, value } of sets) out = setField(out, segments, value)
      for (const segments of removals) out = deleteField(out, segments)
      return out as Record<string, Json>
    }),
  }
}

export const renameInput = z.object({
  items: records,
  fields: z.record(z.string(), z.string().min(1)).describe('Old field path -> new field path'),
})

export function rename({ items, fields }: z.output<typeof renameInput>): { items: Records } {
  const pairs = Object.entries(fields).map(([from, to]) => ({ from: splitField(from, ['fields', from]), to: splitField(to, ['fields', from]) }))
  return {
    items: items.map((item) => {
      let out: JsonRecord = item
      for (const { from, to } of pairs) {
        const value = getField(out, from)
        if (value === undefined) continue
        out = setField(deleteField(out, from), to, value)
      }
      return out as Record<string, Json>
    }),
  }
}

// ---- sort, group ----

/** Order of kinds: numbers, strings, booleans, other JSON, then missing/null last. */
function rank(value: unknown): number {
  if (typeof value === 'number') return 0
  if (typeof value === 'string') return 1
  if (typeof value === 'boolean') return 2
  if (value === null || value === undefined) return 4
  return 3
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' })

function compare(a: unknown, b: unknown): number {
  const byRank = rank(a) - rank(b)
  if (byRank !== 0) return byRank
  if (typeof a === 'number' && typeof b === 'number') return a - b
  if (typeof a === 'string' && typeof b === 'string') return collator.compare(a, b)
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b)
  return collator.compare(JSON.stringify(a) ?? '', JSON.stringify(b) ?? '')
}

export const sortInput = z.object({
  items: records,
  by: z.array(z.object({ field: z.string().min(1), direction: z.enum(['asc', 'desc']).default('asc') })).min(1),
})

export function sort({ items, by }: z.output<typeof sortInput>): { items: Records } {
  const keys = by.map(({ field, direction }, index) => ({ segments: splitField(field, ['by', index, 'field']), sign: direction === 'asc' ? 1 : -1 }))
  // Array.prototype.sort is stable: equal items keep their order. Missing values stay last either way.
  const sorted = [...items].sort((left, right) => {
    for (const { segments, sign } of keys) {
      const a = getField(left, segments)
      const b = getField(right, segments)
      const missing = Number(rank(a) === 4) - Number(rank(b) === 4)
      const order = missing !== 0 ? missing : sign * compare(a, b)
      if (order !== 0) return order
    }
    return 0
  })
  return { items: sorted }
}

export const groupInput = z.object({ items: records, by: z.string().min(1) })
export const groupOutput = z.object({ groups: z.array(z.object({ key: z.json(), items: records })) })

export function group({ items, by }: z.output<typeof groupInput>): z.input<typeof groupOutput> {
  const segments = splitField(by, ['by'])
  const groups = new Map<string, { key: Json; items: Records }>()
  for (const item of items) {
    const value = getField(item, segments)
    const key = (value === undefined ? null : value) as Json
    const id = JSON.stringify(key)
    const found = groups.get(id)
    if (found) found.items.push(item)
    else groups.set(id, { key, items: [item] })
  }
  return { groups: [...groups.values()] }
}

// ---- merge ----

export const mergeInput = z.object({
  left: records,
  right: records,
  mode: z.enum(['append', 'by-index', 'by-key']).default('append').describe('append: right after left; by-index: item i of each combined; by-key: items with the same key combined'),
  key: z.string().min(1).optional().describe('The field both sides share (mode by-key)'),
  join: z.enum(['inner', 'left', 'full']).default('left').describe('by-key: which items without a partner are kept'),
})

export function merge(input: z.output<typeof mergeInput>): { items: Records } {
  const { left, right } = input
  if (input.mode === 'append') return { items: [...left, ...right] }
  if (input.mode === 'by-index') {
    const length = Math.max(left.length, right.length)
    return { items: Array.from({ length }, (_, index) => ({ ...left[index], ...right[index] })) }
  }
  if (input.key === undefined) throw Object.assign(new Error('Merging by key needs a key field'), { code: 'INVALID_FIELD', issues: [{ path: ['key'], message: 'Required for mode by-key' }] })
  const segments = splitField(input.key, ['key'])
  const keyOf = (item: Record<string, Json>): string => JSON.stringify(getField(item, segments) ?? null)
  const rightByKey = new Map<string, Records>()
  for (const item of right) {
    const list = rightByKey.get(keyOf(item))
    if (list) list.push(item)
    else rightByKey.set(keyOf(item), [item])
  }
  const used = new Set<string>()
  const items: Records = []
  for (const item of left) {
    const partners = rightByKey.get(keyOf(item))
    if (partners === undefined) {
      if (input.join !== 'inner') items.push(item)
      continue
    }
    used.add(keyOf(item))
    for (const partner of partners) items.push({ ...item, ...partner })
  }
  if (input.join === 'full') for (const [key, list] of rightByKey) if (!used.has(key)) items.push(...list)
  return { items }
}

// ---- map, filter (expressions in the sandbox) ----

export const expressionInput = z.object({
  items: z.array(z.json()).max(MAX_ITEMS),
  expression: z.string().min(1).max(10_000).describe('A JavaScript expression with `item` and `index` in scope, e.g. `item.price * 2`'),
})

/** Items between two yields to the event loop, so a cancel (or anything else) can arrive during a long list. */
const YIELD_EVERY = 256

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

async function evaluateEach(
  { items, expression }: z.output<typeof expressionInput>,
  ctx: NodeContext,
  settings: DataSettings,
  sandboxes: SandboxHolder,
  use: (value: unknown, item: Json, index: number) => void,
): Promise<void> {
  const sandbox = await sandboxes.get(settings.memoryMb)
  // One line: the expression's line numbers are the code's. A cached compile makes each item cheap.
  const code = `return (${expression}\n)`
  for (let index = 0; index < items.length; index++) {
    if (index % YIELD_EVERY === 0 && index > 0) {
      ctx.progress(index / items.length)
      await yieldToEventLoop()
    }
    if (ctx.signal.aborted) throw ctx.signal.reason as Error
    const item = items[index] as Json
    let value: unknown
    try {
      value = await sandbox.evaluate(code, { item, index }, { signal: ctx.signal, timeoutMs: settings.expressionTimeoutMs, filename: 'expression.js' })
    } catch (error) {
      if (ctx.signal.aborted) throw ctx.signal.reason as Error
      if (!RpcError.is(error)) throw error
      const data = error.code === 'SCRIPT_ERROR' ? (error.data as ScriptErrorData) : undefined
      const code = error.code === 'SCRIPT_ERROR' ? 'EXPRESSION_ERROR' : error.code === 'TIMEOUT' ? 'EXPRESSION_TIMEOUT' : `EXPRESSION_${error.code}`
      throw Object.assign(new Error(`Item ${index}: ${error.message}`), {
        code,
        index,
        issues: [
          { path: ['expression'], message: data?.column !== undefined ? `column ${data.column}: ${data.message}` : (data?.message ?? error.message) },
          { path: ['items', index], message: 'The expression failed on this item' },
        ],
      })
    }
    use(value, item, index)
  }
  ctx.progress(1)
}

export async function mapItems(input: z.output<typeof expressionInput>, ctx: NodeContext, settings: DataSettings, sandboxes: SandboxHolder): Promise<{ items: Json[] }> {
  const out: Json[] = []
  await evaluateEach(input, ctx, settings, sandboxes, (value) => out.push(value as Json))
  return { items: out }
}

export async function filterItems(input: z.output<typeof expressionInput>, ctx: NodeContext, settings: DataSettings, sandboxes: SandboxHolder): Promise<{ items: Json[] }> {
  const out: Json[] = []
  await evaluateEach(input, ctx, settings, sandboxes, (value, item) => {
    if (value !== false && value !== null && value !== 0 && value !== '') out.push(item)
  })
  return { items: out }
}
