/**
 * CSV parse and format with papaparse (a maintained, spec-following parser: quotes, embedded newlines,
 * delimiter detection). Rows are built here from the header with own properties, so a column named
 * `__proto__` is a field like any other, and duplicate headers are made unique (`name`, `name_2`).
 */
import Papa from 'papaparse'
import { z } from 'zod'

const MAX_CSV_CHARS = 50 * 1024 * 1024

export const csvParseInput = z.object({
  text: z.string().max(MAX_CSV_CHARS),
  header: z.boolean().default(true).describe('The first row names the fields (rows are records); false: rows are arrays'),
  delimiter: z.string().min(1).max(4).optional().describe('Detected when absent'),
  dynamicTyping: z.boolean().default(false).describe('Numbers and booleans become numbers and booleans'),
  skipEmptyLines: z.boolean().default(true),
})

export const csvParseOutput = z.object({
  rows: z.array(z.json()),
  fields: z.array(z.string()),
  errors: z.array(z.object({ row: z.number().nullable(), message: z.string() })),
})

/**
 * Field names from the header row: blank ones become `field_<n>`, and so does `__proto__` (a record cannot
 * carry it through schema validation: assigning it sets a prototype instead of a field), with a note in `renamed`.
 */
function uniqueFields(header: readonly unknown[], renamed: { row: number | null; message: string }[]): string[] {
  const seen = new Map<string, number>()
  return header.map((cell, index) => {
    const name = String(cell ?? '').trim()
    if (name === '__proto__') renamed.push({ row: 0, message: `Header "__proto__" (column ${index + 1}) was renamed to "field_${index + 1}"` })
    const base = name === '' || name === '__proto__' ? `field_${index + 1}` : name
    const count = (seen.get(base) ?? 0) + 1
    seen.set(base, count)
    return count === 1 ? base : `${base}_${count}`
  })
}

export function parseCsv(input: z.output<typeof csvParseInput>): z.input<typeof csvParseOutput> {
  const result = Papa.parse<unknown[]>(input.text, {
    header: false,
    dynamicTyping: input.dynamicTyping,
    skipEmptyLines: input.skipEmptyLines ? 'greedy' : false,
    ...(input.delimiter !== undefined ? { delimiter: input.delimiter } : {}),
  })
  const errors = result.errors.map((error) => ({ row: error.row ?? null, message: error.message }))
  const cells = (row: unknown[]): z.core.util.JSONType[] => row.map((cell) => (cell === undefined || (typeof cell === 'number' && !Number.isFinite(cell)) ? null : (cell as z.core.util.JSONType)))
  if (!input.header) return { rows: result.data.map(cells), fields: [], errors }
  const [head = [], ...body] = result.data
  const fields = uniqueFields(head, errors)
  const rows = body.map((row) => {
    const values = cells(row)
    return Object.fromEntries(fields.map((field, index) => [field, values[index] ?? null]))
  })
  return { rows, fields, errors }
}

export const csvFormatInput = z.object({
  rows: z.array(z.union([z.record(z.string(), z.json()), z.array(z.json())])).max(1_000_000),
  fields: z.array(z.string()).optional().describe('Columns, in order; default: every field of the rows, in first-seen order'),
  header: z.boolean().default(true),
  delimiter: z.string().min(1).max(4).default(','),
  escapeFormulae: z
    .boolean()
    .default(true)
    .describe('Prefix cells starting with =, +, -, @ with a quote so a spreadsheet does not run them as formulas'),
})

export const csvFormatOutput = z.object({ text: z.string(), rowCount: z.number() })

export function formatCsv(input: z.output<typeof csvFormatInput>): z.input<typeof csvFormatOutput> {
  const records = input.rows.filter((row): row is Record<string, z.core.util.JSONType> => !Array.isArray(row))
  const fields = input.fields ?? [...new Set(records.flatMap((row) => Object.keys(row)))]
  const cell = (value: unknown): unknown => (value !== null && typeof value === 'object' ? JSON.stringify(value) : value)
  const data = input.rows.map((row) => (Array.isArray(row) ? row.map(cell) : fields.map((field) => cell(Object.hasOwn(row, field) ? row[field] : null))))
  const text = Papa.unparse(
    { fields: input.header ? fields : [], data },
    { header: input.header && fields.length > 0, delimiter: input.delimiter, escapeFormulae: input.escapeFormulae, newline: '\n' },
  )
  return { text, rowCount: data.length }
}
