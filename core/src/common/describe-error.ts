/**
 * A plain, safe description of whatever was thrown, for logs and error envelopes.
 *
 * A plugin can throw anything: an Error whose `message` or `cause` is a getter that throws, a Proxy whose
 * every trap throws, an object whose `toString` throws, a cycle of causes. Reading such a value is what
 * crashed the host before (pino's error serializer and `String(error)` both read it). This function reads
 * each property once, inside a try, and returns only strings, so the description itself can be logged,
 * compared and sent without surprises. It never throws.
 */
export interface ErrorDescription {
  readonly name: string
  readonly message: string
  readonly stack?: string
  /** An Error's `code` property when it is a string or number (`ENOENT`, an HTTP status...). */
  readonly code?: string
  readonly cause?: ErrorDescription
}

/** Longest message or stack kept; a plugin can throw a 100 MB string. */
const MAX_TEXT = 4_000
/** How many causes are followed (a cycle of causes ends here too). */
const MAX_CAUSES = 3

export const UNREADABLE = '<unreadable>'

export function describeError(error: unknown): ErrorDescription {
  return describe(error, MAX_CAUSES)
}

/** The message alone (what a plugin's state shows when it failed). */
export function errorMessage(error: unknown): string {
  return describe(error, 0).message
}

function describe(error: unknown, causesLeft: number): ErrorDescription {
  if (typeof error !== 'object' && typeof error !== 'function') return { name: typeof error, message: text(safeString(error)) }
  if (error === null) return { name: 'null', message: 'null' }
  const name = read(error, 'name')
  const message = read(error, 'message')
  const stack = read(error, 'stack')
  const code = read(error, 'code')
  const cause = causesLeft > 0 ? read(error, 'cause') : undefined
  const description: { -readonly [K in keyof ErrorDescription]: ErrorDescription[K] } = {
    name: typeof name.value === 'string' ? text(name.value) : name.ok ? 'Error' : UNREADABLE,
    message: typeof message.value === 'string' ? text(message.value) : message.ok ? text(safeString(message.value)) : UNREADABLE,
  }
  if (typeof stack.value === 'string') description.stack = text(stack.value)
  if (typeof code.value === 'string' || typeof code.value === 'number') description.code = text(String(code.value))
  if (cause !== undefined && cause.ok && cause.value !== undefined) description.cause = describe(cause.value, causesLeft - 1)
  return description
}

function read(target: object, key: string): { ok: boolean; value: unknown } {
  try {
    return { ok: true, value: (target as Record<string, unknown>)[key] }
  } catch {
    return { ok: false, value: undefined }
  }
}

function safeString(value: unknown): string {
  if (value === undefined) return ''
  try {
    return String(value)
  } catch {
    return UNREADABLE
  }
}

function text(value: string): string {
  return value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT)}...` : value
}
