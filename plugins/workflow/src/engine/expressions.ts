/**
 * Expressions in static inputs: `{{ $node.fetch.output.body.items }}` maps a field of an upstream node's
 * outputs into an input. The rules:
 *
 * - An expression is `{{ ... }}` whose body starts with `$` (so a template's own `{{name}}` is left alone).
 *   Strings anywhere in a static input (inside objects and arrays too) are looked at.
 * - A string that is exactly one expression takes the expression's value, of any JSON type; a string
 *   with text around expressions is a string, each expression's value inserted as text (JSON for
 *   non-strings, nothing for undefined).
 * - `$node.<id>.output` is that node's outputs object. Referring to a node makes the node depend on it
 *   (it runs after it, as if through an edge; when that node is skipped, so is this one). A node the
 *   workflow lacks is `unknown-expression-node`; a reference that closes a loop is a `cycle`.
 * - A pure path (`$node.<id>.output` followed by `.name`, `[0]` or `["key"]` steps) is read directly, and
 *   is undefined where the path leads nowhere. Anything else is JavaScript, evaluated in the SDK's
 *   WebAssembly sandbox (never in the host's realm) with `$node` holding the referenced nodes' outputs;
 *   refer to a node whose id has a `-` as `$node["my-node"]`.
 */
import type { WorkflowDefinition } from './schema'

const EXPRESSION = /\{\{\s*(\$[\s\S]*?)\s*\}\}/g
const WHOLE = /^\{\{\s*(\$[\s\S]*?)\s*\}\}$/
const REFERENCE = /\$node(?:\.([A-Za-z][A-Za-z0-9_]*)|\[\s*(["'])([A-Za-z][A-Za-z0-9_-]{0,63})\2\s*\])/g
const PURE_PATH = /^\$node\.([A-Za-z][A-Za-z0-9_-]{0,63})\.output((?:\.[A-Za-z_$][A-Za-z0-9_$]*|\[\d+\]|\["[^"\\]*"\])*)$/
const STEP = /\.([A-Za-z_$][A-Za-z0-9_$]*)|\[(\d+)\]|\["([^"\\]*)"\]/g

export type Path = (string | number)[]

/** An expression found in a node's static inputs. */
export interface FoundExpression {
  /** Where: `['inputs', name, ...]` relative to the node. */
  readonly path: Path
  readonly source: string
  /** The node ids it refers to. */
  readonly references: readonly string[]
}

// Never `.test` or `.exec` the global EXPRESSION: its lastIndex would leak into the next `matchAll`.
const ANY_EXPRESSION = /\{\{\s*\$[\s\S]*?\s*\}\}/

export function hasExpression(text: string): boolean {
  return ANY_EXPRESSION.test(text)
}

/** The node ids an expression's source refers to. */
export function referencesOf(source: string): string[] {
  const ids = new Set<string>()
  for (const match of source.matchAll(REFERENCE)) ids.add(match[1] ?? match[3]!)
  // A pure path may use an id with `-` after a dot.
  const pure = PURE_PATH.exec(source)
  if (pure !== null) ids.add(pure[1]!)
  return [...ids]
}

function walk(value: unknown, path: Path, visit: (text: string, path: Path) => void): void {
  if (typeof value === 'string') visit(value, path)
  else if (Array.isArray(value)) value.forEach((item, index) => walk(item, [...path, index], visit))
  else if (typeof value === 'object' && value !== null) for (const [key, item] of Object.entries(value)) walk(item, [...path, key], visit)
}

/** Every expression of a node's static inputs. */
export function findExpressions(inputs: Readonly<Record<string, unknown>> | undefined): FoundExpression[] {
  const found: FoundExpression[] = []
  walk(inputs ?? {}, ['inputs'], (text, path) => {
    for (const match of text.matchAll(EXPRESSION)) found.push({ path, source: match[1]!, references: referencesOf(match[1]!) })
  })
  return found
}

/** Each node's expression references (to nodes of the workflow other than itself), for the planner. */
export function expressionDependencies(def: Pick<WorkflowDefinition, 'nodes'>): Map<string, string[]> {
  const ids = new Set(def.nodes.map((node) => node.id))
  const dependencies = new Map<string, string[]>()
  for (const node of def.nodes) {
    const references = new Set(findExpressions(node.inputs).flatMap((expression) => expression.references))
    const known = [...references].filter((id) => ids.has(id) && id !== node.id)
    if (known.length > 0) dependencies.set(node.id, known)
  }
  return dependencies
}

/** Reads a pure path's value, or returns `{ pure: false }` when the source is not one. */
export function readPurePath(source: string, outputsOf: (nodeId: string) => unknown): { pure: true; value: unknown } | { pure: false } {
  const match = PURE_PATH.exec(source)
  if (match === null) return { pure: false }
  let value: unknown = outputsOf(match[1]!)
  for (const step of match[2]!.matchAll(STEP)) {
    const key = step[1] ?? (step[2] === undefined ? step[3]! : Number(step[2]))
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return { pure: true, value: undefined }
    value = (value as Record<string | number, unknown>)[key]
  }
  return { pure: true, value }
}

/** Evaluates a JavaScript expression with `$node` in scope (the sandbox). */
export type EvaluateExpression = (source: string, scope: { $node: Record<string, { output: unknown }> }, signal: AbortSignal) => Promise<unknown>

/** An expression that failed: its source, where it is, and why. */
export class ExpressionError extends Error {
  override readonly name = 'ExpressionError'
  readonly code: string
  constructor(code: string, message: string) {
    super(message)
    this.code = code
  }
}

function interpolated(value: unknown): string {
  if (value === undefined) return ''
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/**
 * The inputs with every expression of the node's static inputs replaced by its value. Only the static
 * inputs are looked at: a value that arrived through an edge is data, never evaluated.
 */
export async function resolveExpressions(
  staticInputs: Readonly<Record<string, unknown>> | undefined,
  inputs: Readonly<Record<string, unknown>>,
  outputsOf: (nodeId: string) => unknown,
  evaluate: EvaluateExpression,
  signal: AbortSignal,
): Promise<Record<string, unknown>> {
  if (staticInputs === undefined || findExpressions(staticInputs).length === 0) return { ...inputs }
  const one = async (source: string, path: Path): Promise<unknown> => {
    const pure = readPurePath(source, outputsOf)
    if (pure.pure) return pure.value
    const $node: Record<string, { output: unknown }> = {}
    for (const id of referencesOf(source)) Object.defineProperty($node, id, { value: { output: outputsOf(id) }, enumerable: true })
    try {
      return await evaluate(`return (${source})`, { $node }, signal)
    } catch (error) {
      const code = typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : 'EXPRESSION_ERROR'
      const message = error instanceof Error ? error.message : String(error)
      throw new ExpressionError(code, `Expression {{ ${source} }} at ${path.join('.')} failed: ${message}`)
    }
  }
  const resolve = async (value: unknown, path: Path): Promise<unknown> => {
    if (typeof value === 'string') {
      if (!hasExpression(value)) return value
      const whole = WHOLE.exec(value)
      if (whole !== null && !whole[1]!.includes('}}')) return one(whole[1]!, path)
      let text = ''
      let last = 0
      for (const match of value.matchAll(EXPRESSION)) {
        text += value.slice(last, match.index) + interpolated(await one(match[1]!, path))
        last = match.index + match[0].length
      }
      return text + value.slice(last)
    }
    if (Array.isArray(value)) return Promise.all(value.map((item, index) => resolve(item, [...path, index])))
    if (typeof value === 'object' && value !== null) {
      const out: Record<string, unknown> = {}
      for (const [key, item] of Object.entries(value)) Object.defineProperty(out, key, { value: await resolve(item, [...path, key]), enumerable: true, writable: true, configurable: true })
      return out
    }
    return value
  }
  const resolved: Record<string, unknown> = { ...inputs }
  for (const [name, value] of Object.entries(staticInputs)) {
    // An edge into the same input wins over the static value (see run.ts): leave it.
    if (inputs[name] !== value) continue
    Object.defineProperty(resolved, name, { value: await resolve(value, ['inputs', name]), enumerable: true, writable: true, configurable: true })
  }
  return resolved
}
