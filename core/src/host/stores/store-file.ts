/**
 * Reading a store file ourselves, before conf does: conf's constructor throws on a damaged file, and its
 * only alternative (`clearInvalidConfig`) wipes everything. Here a damaged file is judged entry by
 * entry, copied aside byte for byte, and replaced by what could be salvaged.
 */
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { entryFromJson, type StoredEntry } from './codec'
import { isReservedKey } from './encoded-store'

export interface LoadedStoreFile {
  /** The entries that decode. */
  readonly entries: Map<string, StoredEntry>
  /** conf's own bookkeeping (`__internal__...`), kept as it was. */
  readonly reserved: Readonly<Record<string, unknown>>
  /** The file's bytes; undefined when there is no file yet. */
  readonly raw: Buffer | undefined
  /** What is wrong with the file; empty when it is healthy (or absent). */
  readonly problems: readonly string[]
  /** Keys whose entry was dropped. */
  readonly lostKeys: readonly string[]
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function isErrnoException(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code
}

function describeJson(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return `a ${typeof value}`
}

export function loadStoreFile(file: string): LoadedStoreFile {
  let raw: Buffer
  try {
    raw = fs.readFileSync(file)
  } catch (error) {
    if (isErrnoException(error, 'ENOENT')) {
      return { entries: new Map(), reserved: {}, raw: undefined, problems: [], lostKeys: [] }
    }
    throw new Error(`Cannot read the store file ${file}: ${messageOf(error)}`, { cause: error })
  }

  const problems: string[] = []
  const nothing = (): LoadedStoreFile => ({ entries: new Map(), reserved: {}, raw, problems, lostKeys: [] })

  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(raw)
  } catch {
    problems.push('the file is not valid UTF-8 (invalid bytes were replaced)')
    text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(raw)
  }
  if (text.startsWith('\uFEFF')) {
    // conf's JSON.parse chokes on a byte order mark (editors on Windows add one).
    problems.push('the file starts with a byte order mark')
    text = text.slice(1)
  }

  let parsed: unknown
  const lostKeys: string[] = []
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    problems.push(`the file is not valid JSON (${messageOf(error)})`)
    // Cut short (a disk error, an interrupted copy): keep the members that are whole, and name the ones
    // that are not, so that the recovery says what was lost.
    const salvaged = salvageMembers(text)
    if (salvaged.members.length === 0 && salvaged.brokenKeys.length === 0) return nothing()
    if (salvaged.brokenKeys.length > 0) problems.push(`cut off inside ${salvaged.brokenKeys.map((key) => JSON.stringify(key)).join(', ')}`)
    lostKeys.push(...salvaged.brokenKeys)
    parsed = Object.fromEntries(salvaged.members)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    problems.push(`the file holds ${describeJson(parsed)}, not a JSON object`)
    return nothing()
  }

  const entries = new Map<string, StoredEntry>()
  const reserved: Record<string, unknown> = Object.create(null) as Record<string, unknown>
  const details: string[] = []
  const record = parsed as Record<string, unknown>
  const keys = Object.keys(record)
  const undecodable: string[] = []
  for (const key of keys) {
    const json = record[key]
    if (isReservedKey(key)) {
      reserved[key] = json
      continue
    }
    try {
      entries.set(key, entryFromJson(json))
    } catch (error) {
      undecodable.push(key)
      details.push(`${JSON.stringify(key)}: ${messageOf(error)}`)
    }
  }
  if (undecodable.length > 0) {
    problems.push(`${undecodable.length} of ${keys.length} entries cannot be decoded (${details.join('; ')})`)
    lostKeys.push(...undecodable)
  }
  return { entries, reserved, raw, problems, lostKeys }
}

/** A member's key at the start of `text` (`"key": ...`), or undefined when even that is cut. */
const MEMBER_KEY = /^"((?:[^"\\]|\\.)*)"\s*:/

/**
 * The whole members of a store file that was cut short, and the keys of the broken ones. The file is
 * written as `formatStoreFile` formats it: one top-level member per line starting with one tab and a
 * quote (deeper lines have more tabs), so the text splits there; each piece is parsed on its own.
 */
export function salvageMembers(text: string): { members: Array<[string, unknown]>; brokenKeys: string[] } {
  const members: Array<[string, unknown]> = []
  const brokenKeys: string[] = []
  const pieces = text.split(/\n\t(?=")/).slice(1)
  pieces.forEach((piece, index) => {
    let body = piece.trimEnd()
    if (index === pieces.length - 1 && body.endsWith('}')) body = body.slice(0, -1).trimEnd()
    if (body.endsWith(',')) body = body.slice(0, -1)
    try {
      const member = JSON.parse(`{${body}}`) as Record<string, unknown>
      const keys = Object.keys(member)
      if (keys.length === 1) {
        members.push([keys[0]!, member[keys[0]!]])
        return
      }
    } catch {
      // Broken: named below when its key is readable.
    }
    const key = MEMBER_KEY.exec(body)
    if (key) brokenKeys.push(JSON.parse(`"${key[1]}"`) as string)
  })
  return { members, brokenKeys }
}

/**
 * Temporary files that interrupted writes of `file` left next to it: ours (`<file>.<8 hex>.tmp`) and
 * those of conf's writer, `atomically` (`<file>.tmp-<16 characters>`), from earlier versions. Removed
 * when the store opens (the store file has one writer, so none of them belongs to a write in progress);
 * returns their names.
 */
export function removeLeftoverTemporaries(file: string): string[] {
  const directory = path.dirname(file)
  const base = path.basename(file)
  let names: string[]
  try {
    names = fs.readdirSync(directory)
  } catch (error) {
    if (isErrnoException(error, 'ENOENT')) return []
    throw error
  }
  const leftovers = names.filter(
    (name) => name.startsWith(`${base}.`) && (/^\.[0-9a-f]{8}\.tmp$/.test(name.slice(base.length)) || /^\.tmp-[0-9a-z]{16}$/.test(name.slice(base.length))),
  )
  for (const name of leftovers) fs.rmSync(path.join(directory, name), { force: true })
  return leftovers
}

/** The file's content for the given entries, formatted like conf formats it. */
export function serializeStoreFile(entries: ReadonlyMap<string, StoredEntry>, reserved: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const object = Object.create(null) as Record<string, unknown>
  for (const key of Object.keys(reserved)) object[key] = reserved[key]
  for (const key of [...entries.keys()].sort()) object[key] = entries.get(key)?.json
  return object
}

export function formatStoreFile(object: Record<string, unknown>): string {
  return JSON.stringify(object, undefined, '\t')
}

/** Writes `data` to a new file (`wx`: never replaces one) and flushes it to disk. */
function writeNewFileDurably(file: string, data: Uint8Array | string): void {
  const fd = fs.openSync(file, 'wx')
  try {
    fs.writeFileSync(fd, data)
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
}

/**
 * Copies the damaged file's bytes aside as `<name>.corrupt-<timestamp>.json` in the same folder.
 * Never replaces an earlier backup: a clash gets a `-2`, `-3`... suffix.
 */
export function keepBackup(file: string, name: string, raw: Buffer, now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-')
  const directory = path.dirname(file)
  for (let attempt = 1; ; attempt += 1) {
    const candidate = path.join(directory, `${name}.corrupt-${stamp}${attempt === 1 ? '' : `-${attempt}`}.json`)
    try {
      writeNewFileDurably(candidate, raw)
      return candidate
    } catch (error) {
      if (isErrnoException(error, 'EEXIST') && attempt < 1000) continue
      throw new Error(`Cannot keep a copy of the damaged store file ${file} (refusing to replace it): ${messageOf(error)}`, {
        cause: error,
      })
    }
  }
}

/**
 * Replaces `file` atomically (write a temporary file next to it, flush, rename over), then flushes the
 * folder so the rename itself survives a power loss, not only a killed process.
 */
export function replaceFileAtomically(file: string, data: string): void {
  const temporary = `${file}.${randomUUID().slice(0, 8)}.tmp`
  try {
    writeNewFileDurably(temporary, data)
    fs.renameSync(temporary, file)
  } catch (error) {
    fs.rmSync(temporary, { force: true })
    throw error
  }
  flushDirectory(path.dirname(file))
}

/**
 * Flushes a folder's entries (the rename) to disk. Windows cannot open a folder as a file (EPERM/EISDIR)
 * and some file systems refuse to flush one (EINVAL): there the rename is as durable as the platform makes it.
 */
function flushDirectory(directory: string): void {
  let fd: number
  try {
    fd = fs.openSync(directory, 'r')
  } catch (error) {
    if (isErrnoException(error, 'EPERM') || isErrnoException(error, 'EISDIR')) return
    throw error
  }
  try {
    fs.fsyncSync(fd)
  } catch (error) {
    if (!isErrnoException(error, 'EINVAL') && !isErrnoException(error, 'EBADF')) throw error
  } finally {
    fs.closeSync(fd)
  }
}
