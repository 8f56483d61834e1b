/**
 * A small path language for reading JSON values: `a.b[0].c`, `items[-1]` (from the end),
 * `["key with spaces"]` / `['it\'s']` (quoted keys, backslash escapes), an optional leading `$`
 * for the root (`$`, `$.a`, `$[0]`), and the empty string for the value itself.
 *
 * Dot segments are runs of letters, digits, `_`, `$` and `-`. A numeric key reads an array element
 * and an integer index reads an object's key of the same digits, so `a.0` and `a[0]` agree.
 */
export type PathSegment = string | number

export class JsonPathError extends Error {
  override readonly name = 'JsonPathError'
  /** Zero-based character offset of the problem in the path. */
  readonly position: number

  constructor(message: string, position: number) {
    super(`${message} at position ${position}`)
    this.position = position
  }
}

const IDENTIFIER_CHAR = /[A-Za-z0-9_$-]/

function readIdentifier(path: string, start: number): number {
  let end = start
  while (end < path.length && IDENTIFIER_CHAR.test(path.charAt(end))) end++
  return end
}

/** Parses a path into segments (strings are keys, numbers are indexes); throws JsonPathError. */
export function parseJsonPath(path: string): PathSegment[] {
  const segments: PathSegment[] = []
  let pos = 0
  if (path.startsWith('$') && (path.length === 1 || path[1] === '.' || path[1] === '[')) pos = 1
  const bodyStart = pos

  while (pos < path.length) {
    const char = path.charAt(pos)
    if (char === '.') {
      if (pos === 0) throw new JsonPathError("Unexpected '.' (a path starts with a name, '[' or '$')", pos)
      const end = readIdentifier(path, pos + 1)
      if (end === pos + 1) throw new JsonPathError("Expected a property name after '.'", pos + 1)
      segments.push(path.slice(pos + 1, end))
      pos = end
    } else if (char === '[') {
      pos++
      const open = path.charAt(pos)
      if (open === '"' || open === "'") {
        let key = ''
        pos++
        for (;;) {
          if (pos >= path.length) throw new JsonPathError('Unterminated quoted key', pos)
          const c = path.charAt(pos)
          if (c === open) break
          if (c === '\\') {
            if (pos + 1 >= path.length) throw new JsonPathError('Unterminated quoted key', pos + 1)
            key += path.charAt(pos + 1)
            pos += 2
          } else {
            key += c
            pos++
          }
        }
        pos++ // the closing quote
        segments.push(key)
      } else {
        const match = /^-?\d+/.exec(path.slice(pos))
        if (match === null) throw new JsonPathError("Expected an index or a quoted key after '['", pos)
        const index = Number(match[0])
        if (!Number.isSafeInteger(index)) throw new JsonPathError('Index is too large', pos)
        segments.push(index)
        pos += match[0].length
      }
      if (path.charAt(pos) !== ']') throw new JsonPathError("Expected ']'", pos)
      pos++
    } else if (pos === bodyStart && bodyStart === 0) {
      const end = readIdentifier(path, pos)
      if (end === pos) throw new JsonPathError(`Unexpected character '${char}'`, pos)
      segments.push(path.slice(pos, end))
      pos = end
    } else {
      throw new JsonPathError(`Unexpected character '${char}' (expected '.' or '[')`, pos)
    }
  }
  return segments
}

/** Renders segments back to a path (`a.b[0]["x y"]`), for messages. */
export function formatJsonPath(segments: readonly PathSegment[]): string {
  let out = ''
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`
    else if (/^[A-Za-z0-9_$-]+$/.test(segment) && segment !== '$') out += out === '' ? segment : `.${segment}`
    else out += `[${JSON.stringify(segment)}]`
  }
  return out
}

export type PathLookup =
  | { readonly found: true; readonly value: unknown }
  /** `failedAt`: index of the first segment that matched nothing. */
  | { readonly found: false; readonly failedAt: number }

const CANONICAL_INDEX = /^(0|[1-9]\d*)$/

/** Follows `segments` into `value`, own properties only. */
export function lookupPath(value: unknown, segments: readonly PathSegment[]): PathLookup {
  let current = value
  for (const [i, segment] of segments.entries()) {
    if (Array.isArray(current)) {
      let index: number
      if (typeof segment === 'number') index = segment < 0 ? current.length + segment : segment
      else if (CANONICAL_INDEX.test(segment)) index = Number(segment)
      else return { found: false, failedAt: i }
      if (index < 0 || index >= current.length) return { found: false, failedAt: i }
      current = current[index] as unknown
    } else if (typeof current === 'object' && current !== null) {
      const key = String(segment)
      if (!Object.hasOwn(current, key)) return { found: false, failedAt: i }
      current = (current as Record<string, unknown>)[key]
    } else {
      return { found: false, failedAt: i }
    }
  }
  return { found: true, value: current }
}
