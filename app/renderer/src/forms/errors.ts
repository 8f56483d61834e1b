/**
 * Host validation issues -> JSON Forms errors. The form does not validate by itself (ajv compiles
 * validators with `new Function`, which the renderer's CSP forbids); the host validates every call with
 * zod and answers INVALID_PARAMS with `issues[].path`, which this module places at the nearest field the
 * form renders. Issues with no field (the root) are returned apart, to show above the form.
 */
import type { JsonSchema } from '@jsonforms/core'
import type { ErrorObject } from 'ajv'
import { formatPath, type Issue } from '../lib/errors'
import { deref, isFreeform } from './schema'

export interface PlacedIssues {
  readonly errors: ErrorObject[]
  readonly unplaced: Issue[]
}

function encodeSegment(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1')
}

/** The longest prefix of `path` that is a field of the form (free JSON fields are leaves). */
export function fieldPathOf(schema: JsonSchema, path: Issue['path']): (string | number)[] {
  const placed: (string | number)[] = []
  let node = deref(schema, schema)
  for (const segment of path) {
    if (placed.length > 0 && isFreeform(node, schema)) break
    const properties = node['properties'] as Record<string, JsonSchema> | undefined
    if (typeof segment === 'string' && properties && segment in properties) {
      node = deref(properties[segment], schema)
    } else if (typeof segment === 'number' && node['type'] === 'array' && node['items']) {
      node = deref(node['items'] as JsonSchema, schema)
    } else break
    placed.push(segment)
  }
  return placed
}

export function placeIssues(schema: JsonSchema | null, issues: readonly Issue[]): PlacedIssues {
  const errors: ErrorObject[] = []
  const unplaced: Issue[] = []
  for (const issue of issues) {
    const field = schema ? fieldPathOf(schema, issue.path) : []
    if (field.length === 0) {
      unplaced.push(issue)
      continue
    }
    const rest = issue.path.slice(field.length)
    errors.push({
      instancePath: `/${field.map(encodeSegment).join('/')}`,
      schemaPath: '#/host',
      keyword: 'host',
      params: {},
      message: rest.length > 0 ? `${formatPath(rest)}: ${issue.message}` : issue.message,
    })
  }
  return { errors, unplaced }
}
