/** Text typed into a field -> the value it means (an empty box is "no value": the key is left out). */
export type FieldKind = 'string' | 'number' | 'integer'

export type Parsed = { readonly ok: true; readonly value: string | number | undefined } | { readonly ok: false; readonly message: string }

export function parseFieldText(kind: FieldKind, text: string): Parsed {
  if (text === '') return { ok: true, value: undefined }
  if (kind === 'string') return { ok: true, value: text }
  const trimmed = text.trim()
  // Number('') is 0 and Number('0x10') is 16: only plain decimal notation is a number here.
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(trimmed)) return { ok: false, message: 'Not a number' }
  const value = Number(trimmed)
  if (!Number.isFinite(value)) return { ok: false, message: 'Not a finite number' }
  if (kind === 'integer' && !Number.isInteger(value)) return { ok: false, message: 'Not a whole number' }
  return { ok: true, value }
}

export function sameValue(a: unknown, b: unknown): boolean {
  return a === b || (a === undefined && b === null) || (a === null && b === undefined)
}
