import * as z from 'zod'
import { NodeError, NodeErrorCodes } from '../errors'
import { defineNodeType } from '../node-type'
import { JsonPathError, formatJsonPath, lookupPath, parseJsonPath, type PathSegment } from './json-path'

/** A path string that must parse: a bad one fails input validation (INVALID_PARAMS) at its own issue path. */
export const jsonPathSchema = z
  .string()
  .max(1000)
  .superRefine((path, ctx) => {
    try {
      parseJsonPath(path)
    } catch (error) {
      if (!(error instanceof JsonPathError)) throw error
      ctx.addIssue({ code: 'custom', message: `Invalid path "${path}": ${error.message}`, params: { position: error.position } })
    }
  })
  .describe('Path into the value, e.g. a.b[0].c (empty for the value itself)')

function notFound(path: string, segments: readonly PathSegment[], failedAt: number, output?: string): NodeError {
  const reached = formatJsonPath(segments.slice(0, failedAt + 1))
  const what = output === undefined ? '' : ` (output "${output}")`
  return new NodeError(NodeErrorCodes.PATH_NOT_FOUND, `Nothing at path "${path}"${what}: "${reached}" does not exist`, {
    data: { path, failedAt: reached, ...(output === undefined ? {} : { output }) },
  })
}

/**
 * `json.pick`: the value at a path. Nothing there fails with PATH_NOT_FOUND, unless a `default` is
 * given, which is returned with `found: false`.
 */
export const pickNode = defineNodeType({
  id: 'json.pick',
  title: 'Pick from JSON',
  description: 'Gets the value at a path like a.b[0].c from a JSON value.',
  category: 'json',
  input: z.object({
    value: z.json(),
    path: jsonPathSchema,
    default: z.json().optional(),
  }),
  output: z.object({ value: z.json(), found: z.boolean() }),
  execute(inputs, ctx) {
    const segments = parseJsonPath(inputs.path)
    const lookup = lookupPath(inputs.value, segments)
    if (lookup.found) {
      ctx.log('debug', `Picked "${inputs.path}"`)
      return { value: lookup.value as z.core.util.JSONType, found: true }
    }
    if (inputs.default === undefined) throw notFound(inputs.path, segments, lookup.failedAt)
    ctx.log('debug', `Nothing at "${inputs.path}", using the default`)
    return { value: inputs.default, found: false }
  },
})

/** Output names: any non-empty string but `__proto__`, which would not survive as a plain key. */
const outputName = z
  .string()
  .min(1)
  .max(200)
  .refine((name) => name !== '__proto__', 'Output name "__proto__" is reserved')

/**
 * `json.transform`: builds a record of outputs, each picked by path from one JSON value. A path with
 * nothing there fails with PATH_NOT_FOUND naming the output (`missing: 'error'`, the default),
 * gives `null` (`'null'`) or leaves the output out (`'omit'`).
 */
export const transformNode = defineNodeType({
  id: 'json.transform',
  title: 'Transform JSON',
  description: 'Maps a record of output names to paths into a JSON value.',
  category: 'json',
  input: z.object({
    value: z.json(),
    paths: z.record(outputName, jsonPathSchema),
    missing: z.enum(['error', 'null', 'omit']).default('error'),
  }),
  output: z.object({ value: z.record(z.string(), z.json()) }),
  execute({ value, paths, missing }, ctx) {
    const result: Record<string, z.core.util.JSONType> = {}
    for (const [name, path] of Object.entries(paths)) {
      const segments = parseJsonPath(path)
      const lookup = lookupPath(value, segments)
      if (lookup.found) {
        result[name] = lookup.value as z.core.util.JSONType
      } else if (missing === 'error') {
        throw notFound(path, segments, lookup.failedAt, name)
      } else {
        ctx.log('debug', `Nothing at "${path}" for output "${name}"`)
        if (missing === 'null') result[name] = null
      }
    }
    ctx.log('debug', `Transformed into ${Object.keys(result).length} outputs`)
    return { value: result }
  },
})
