/**
 * Workflows as YAML files, with the `yaml` package (YAML 1.2, errors with line and column, and a
 * stringifier that keeps key order and writes multi-line strings as blocks people can read and diff).
 * Exported files carry the document only (no id, version or dates), so importing one makes a new
 * workflow; the host checks its shape and graph like any other draft.
 */
import { parseDocument, stringify } from 'yaml'
import type { Issue } from './errors'

export const WORKFLOW_FILE_KIND = 'atomiton/workflow'

/** The file's text: a `kind` line saying what it is, then the document. */
export function workflowToYaml(doc: object): string {
  return stringify({ kind: WORKFLOW_FILE_KIND, ...doc }, { lineWidth: 0 })
}

export type ParsedFile = { readonly ok: true; readonly doc: Record<string, unknown> } | { readonly ok: false; readonly problems: Issue[] }

/** The document in a file's text, or its problems: YAML errors at their line, a wrong kind at `kind`. */
export function workflowFromYaml(text: string): ParsedFile {
  const parsed = parseDocument(text, { prettyErrors: true, uniqueKeys: true })
  if (parsed.errors.length > 0) {
    return {
      ok: false,
      problems: parsed.errors.map((error) => {
        const at = error.linePos?.[0]
        return { path: [], message: at ? `Line ${at.line}, column ${at.col}: ${error.message.split('\n')[0] ?? error.message}` : error.message, code: 'yaml' }
      }),
    }
  }
  const value: unknown = parsed.toJS({ maxAliasCount: 100 })
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, problems: [{ path: [], message: 'The file does not hold a workflow (a mapping with name, nodes and edges)', code: 'not-a-workflow' }] }
  }
  const { kind, ...doc } = value as Record<string, unknown>
  if (kind !== undefined && kind !== WORKFLOW_FILE_KIND) {
    return { ok: false, problems: [{ path: ['kind'], message: `This file is a "${String(kind)}", not an ${WORKFLOW_FILE_KIND}`, code: 'wrong-kind' }] }
  }
  return { ok: true, doc }
}
