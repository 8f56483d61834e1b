/**
 * Checks values before anything is written: each must survive structured clone (and be representable in
 * the store file), and be no larger than the limit. A batch is judged whole, so a bad entry anywhere
 * means nothing is written.
 */
import { measureStoredValue, type ValidationIssue } from '@atomiton/plugin-sdk'
import { invalidParams, payloadTooLarge, type IssuePath } from './errors'

export interface ValueToWrite {
  readonly key: string
  readonly value: unknown
  /** Where the value is in the params, for the error: `['value']`, `['entries', 3, 'value']`. */
  readonly path: IssuePath
}

/** Throws INVALID_PARAMS (every value that cannot be stored) or PAYLOAD_TOO_LARGE (the first too large). */
export function checkValues(values: readonly ValueToWrite[], maxValueBytes: number): void {
  const issues: ValidationIssue[] = []
  let tooLarge: { readonly entry: ValueToWrite; readonly size: number } | undefined
  for (const entry of values) {
    const measure = measureStoredValue(entry.value)
    if (!measure.ok) issues.push({ path: entry.path, message: `The value cannot be stored: ${measure.reason}`, code: 'custom' })
    else if (measure.bytes > maxValueBytes && tooLarge === undefined) tooLarge = { entry, size: measure.bytes }
  }
  if (issues.length > 0) throw invalidParams(issues)
  if (tooLarge !== undefined) {
    throw payloadTooLarge({ limit: maxValueBytes, size: tooLarge.size, key: tooLarge.entry.key, path: tooLarge.entry.path })
  }
}
