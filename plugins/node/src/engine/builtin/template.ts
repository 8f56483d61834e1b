import * as z from 'zod'
import { NodeError, NodeErrorCodes } from '../errors'
import { defineNodeType } from '../node-type'

/** `{{name}}`, spaces allowed inside the braces; names are letters, digits, `_`, `$`, `.` and `-`. */
const PLACEHOLDER = /\{\{\s*([A-Za-z_$][\w$.-]*)\s*\}\}/g

export interface RenderResult {
  readonly text: string
  /** Names that had no value, each once, in order of first use. */
  readonly missing: string[]
}

/** Fills `{{name}}` placeholders from `values` (own keys only); `null` renders as the empty string. */
export function renderTemplate(
  template: string,
  values: Readonly<Record<string, string | number | boolean | null>>,
  missingValue = '',
): RenderResult {
  const missing: string[] = []
  const text = template.replace(PLACEHOLDER, (_match, name: string) => {
    if (!Object.hasOwn(values, name)) {
      if (!missing.includes(name)) missing.push(name)
      return missingValue
    }
    const value = values[name]
    return value === null || value === undefined ? '' : String(value)
  })
  return { text, missing }
}

/**
 * `text.template`: renders `Hello {{name}}` from a record of values. A missing variable fails with
 * MISSING_VARIABLE naming it (issues at `values.<name>`, `data.variables`), unless `allowMissing`,
 * which renders `missingValue` (default empty) and lists the names in `missing`.
 */
export const templateNode = defineNodeType({
  id: 'text.template',
  title: 'Text template',
  description: 'Fills {{name}} placeholders in a template from a record of values.',
  category: 'text',
  input: z.object({
    template: z.string().max(1_000_000),
    values: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).default({}),
    allowMissing: z.boolean().default(false),
    missingValue: z.string().default(''),
  }),
  output: z.object({ text: z.string(), missing: z.array(z.string()) }),
  execute({ template, values, allowMissing, missingValue }, ctx) {
    const { text, missing } = renderTemplate(template, values, missingValue)
    if (missing.length > 0) {
      const list = missing.map((name) => `"${name}"`).join(', ')
      if (!allowMissing) {
        throw new NodeError(
          NodeErrorCodes.MISSING_VARIABLE,
          `Missing template ${missing.length === 1 ? 'variable' : 'variables'} ${list}`,
          {
            issues: missing.map((name) => ({ path: ['values', name], message: `Missing template variable "${name}"` })),
            data: { variables: missing },
          },
        )
      }
      ctx.log('warn', `Rendered with missing variables ${list}`, { missing })
    } else {
      ctx.log('debug', `Rendered ${text.length} characters`)
    }
    return { text, missing }
  },
})
