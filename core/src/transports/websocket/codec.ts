/**
 * The WebSocket transport's frame codec, shared by the host (Node) and the bridge (browser): no Node
 * imports, no `v8.serialize`.
 *
 * Values are encoded with devalue, so what crosses keeps what the structured clone algorithm keeps:
 * Date, Map, Set, BigInt, typed arrays and ArrayBuffer, RegExp, `undefined`, -0/NaN/Infinity, sparse
 * arrays, cycles and shared references; Errors arrive as Errors (name and message only, as over
 * Electron's IPC); class instances arrive as plain objects (prototype lost). Functions, symbols,
 * promises and objects structured clone refuses (WeakMap, DOM objects...) fail with an Error named
 * `DataCloneError` whose message contains "could not be cloned", which the client maps to
 * INVALID_PARAMS, exactly like an uncloneable value over IPC. (devalue also keeps URL and
 * URLSearchParams, which structured clone refuses: the one place this transport is more lenient.)
 *
 * A frame is one text message: a one-letter tag, an optional id `n`, a colon, then ONE devalue text (the
 * whole frame is encoded once; nothing is encoded inside a string). The protocol's messages (`protocol.ts`)
 * travel as `s` and `m` frames; `i`/`r` carry only the direct `bridge.invoke(method, params)`:
 *
 *   client -> host   s[<n>]:<devalue [method, params]>   send (one way): on "$rpc", a request, batch or
 *                                                        cancel envelope, whose correlation id (the request's
 *                                                        or the batch's `id`) the header repeats as n
 *                    i<n>:<devalue [method, params]>     invoke, answered by the reply with the same n
 *   host -> client   m:<devalue message>                 a host message: a response, a batch response or
 *                                                        an event (`EventMessage`), the one kind of event
 *                    r<n>:<devalue value>                reply to invoke n (a response envelope)
 *
 * e.g. `S7:["$rpc",{"kind":"request","id":7,...}]`. The id sits outside the body, so a frame whose body is
 * garbage, or that the host refuses unread (over the rate limit), can still be answered with an error
 * envelope for that id.
 *
 * The compact body: a frame whose value JSON keeps exactly (see exact-json.ts: no undefined, -0, NaN, Date,
 * Map, shared reference... only strings, finite numbers, booleans, null, dense arrays and plain objects)
 * may carry plain JSON instead, under the upper-case tag: `S<n>:<JSON [method, params]>`,
 * `I<n>:<JSON [method, params]>`, `M:<JSON message>`, `R<n>:<JSON value>`. The encoders write it when
 * asked (`body: 'compact'`, what the bridge and the server ask for); the decoders read both.
 * Why: it is what most calls carry, and reading it is one JSON.parse with no devalue rebuild (measured,
 * scenario 4 in docs/benchmarks.md). On the host's half (`encodeReply`, `encodeMessage`, `decodeClientFrame`),
 * plain data that JSON would not keep exactly still takes a fast devalue writer and reader
 * (plain-devalue.ts), byte for byte devalue's own text; the renderer's half (`encodeInvoke`,
 * `encodeSend`, `decodeHostFrame`) uses devalue itself there, so the renderer's bundle stays within its
 * budget (scenario 8: the fast path weighs ~1.1 KB gzipped).
 *
 * Decoding never throws: it answers `{ ok: false, n?, reason }` for anything malformed. The host's
 * decoder also refuses, before parsing or reviving, a body that would cost far more than its size (deep
 * nesting, a huge BigInt: see frame-limits.ts).
 */
import { DevalueError, stringify, unflatten, type StringifyOptions } from 'devalue'
import { errorConstructors } from '../../common/error-constructors'
import type { HostMessage } from '../../common/protocol'
import { exactJson } from './exact-json'
import { DEFAULT_FRAME_LIMITS, devalueBodyProblem, nestsDeeperThan, type FrameLimits } from './frame-limits'
import { NOT_PLAIN, plainStringify, plainUnflatten } from './plain-devalue'

export interface InvokeFrame {
  readonly t: 'invoke'
  readonly n: number
  readonly method: string
  readonly params: unknown
}

export interface SendFrame {
  readonly t: 'send'
  /** The correlation id the header named (a `$rpc` request's or batch's), if any. */
  readonly n: number | undefined
  readonly method: string
  readonly params: unknown
}

export interface ReplyFrame {
  readonly t: 'reply'
  readonly n: number
  readonly value: unknown
}

/** A host message (protocol.ts): an answer, or an EventMessage. */
export interface MessageFrame {
  readonly t: 'message'
  readonly message: unknown
}

export type ClientFrame = InvokeFrame | SendFrame
export type HostFrame = ReplyFrame | MessageFrame

export type Decoded<F> =
  | { readonly ok: true; readonly frame: F }
  /**
   * `n` is an invoke's frame id when the header was readable, so the sender can still be answered;
   * `sendId` the correlation id a send frame's header named.
   */
  | { readonly ok: false; readonly n: number | undefined; readonly sendId?: number; readonly reason: string }

/** Thrown by the `encode*` functions for a value that cannot cross; named like the DOM's error. */
export class FrameEncodeError extends Error {
  override readonly name = 'DataCloneError'
}

// ---------------------------------------------------------------------------------------------- values


/** Runs for every value devalue flattens: keep it a cheap `instanceof`. */
const reducers = {
  E: (value: unknown): [string, string] | false => (value instanceof Error ? [String(value.name), String(value.message)] : false),
}

const revivers = {
  E: (payload: unknown): Error => {
    if (!Array.isArray(payload) || typeof payload[0] !== 'string' || typeof payload[1] !== 'string') {
      throw new Error('Invalid Error payload')
    }
    const [name, message] = payload as [string, string]
    const Constructor = Object.hasOwn(errorConstructors, name) ? errorConstructors[name] : undefined
    // Like structured clone: a non-standard name comes back as a plain Error.
    return new (Constructor ?? Error)(message)
  },
}

function tagOf(value: object): string {
  return Object.prototype.toString.call(value).slice(8, -1)
}

/**
 * devalue refuses class instances ("arbitrary non-POJOs"); structured clone copies their own enumerable
 * string-keyed properties into a plain object and ignores symbol keys. Objects with another tag
 * (WeakMap, Blob, DOM nodes...) are still refused.
 */
const stringifyOptions: StringifyOptions = {
  operations: {
    shapeOf(value: object) {
      const proto: unknown = Object.getPrototypeOf(value)
      if (proto === null) return { kind: 'null-proto', keys: Object.keys(value) }
      if (tagOf(value) !== 'Object') return { kind: 'not-plain' }
      return { kind: 'plain', keys: Object.keys(value) }
    },
  },
}

/** devalue's `stringify` with the codec's reducers and operations (the general path; tests compare the fast one to it). */
export function devalueStringify(value: unknown): string {
  return stringify(value, reducers, stringifyOptions)
}

/** The host's devalue writer: plain data without devalue's per-value overhead, the rest through devalue. */
function hostStringify(value: unknown): string {
  return plainStringify(value) ?? stringify(value, reducers, stringifyOptions)
}

/**
 * `devalue`: always the devalue body (lower-case tag). `compact`: the JSON body (upper-case tag) when the
 * value is exactly JSON, else the devalue body.
 */
export type FrameBody = 'devalue' | 'compact'

/**
 * One frame: `tag` (lower case) and the header's id, then the body. `pair`: the value is a `[name, value]`
 * tuple, whose `[1]` is left out of the path in messages. `write` is the devalue writer: the host's
 * (`hostStringify`: measured in scenario 4, the encode of a small envelope went from ~2.5 µs to ~0.9 µs)
 * or devalue's own.
 */
function encodeFrame(
  tag: string,
  id: string,
  value: unknown,
  what: string,
  pair: boolean,
  body: FrameBody,
  write: (value: unknown) => string,
): string {
  try {
    if (body === 'compact') {
      const json = exactJson(value)
      if (json !== undefined) return `${tag.toUpperCase()}${id}:${json}`
    }
    return `${tag}${id}:${write(value)}`
  } catch (error) {
    let reason = error instanceof Error ? error.message : String(error)
    if (error instanceof DevalueError) {
      const path = pair ? error.path.replace(/^\[1\]/, '') : error.path
      if (path) reason += ` at ${path}`
    }
    throw new FrameEncodeError(`The ${what} could not be cloned: ${reason}`, { cause: error })
  }
}

// ---------------------------------------------------------------------------------------------- encode

// The renderer's half.

export function encodeInvoke(n: number, method: string, params: unknown, body: FrameBody = 'devalue'): string {
  return encodeFrame('i', String(n), [method, params], `params of ${method}`, true, body, devalueStringify)
}

/** `n`: the correlation id of the `$rpc` envelope carried (see the header above), a positive safe integer. */
export function encodeSend(method: string, params: unknown, n?: number, body: FrameBody = 'devalue'): string {
  return encodeFrame('s', n === undefined ? '' : String(n), [method, params], `params of ${method}`, true, body, devalueStringify)
}

// The host's half.

export function encodeReply(n: number, value: unknown, body: FrameBody = 'devalue'): string {
  return encodeFrame('r', String(n), value, 'reply', false, body, hostStringify)
}

/** A host message: a response or batch response (a call's answer), or an EventMessage. */
export function encodeMessage(message: HostMessage, body: FrameBody = 'devalue'): string {
  const what = message.kind === 'event' ? `payload of ${message.event}` : 'reply'
  return encodeFrame('m', '', message, what, false, body, hostStringify)
}

/** True when `value` can cross (it is encoded to find out: for failure paths only). */
export function isEncodable(value: unknown): boolean {
  try {
    stringify(value, reducers, stringifyOptions)
    return true
  } catch {
    return false
  }
}

// ---------------------------------------------------------------------------------------------- decode

/** Frame ids are positive safe integers: at most 16 digits, no leading zero. */
const HEADER = /^([isrmISRM])([1-9][0-9]{0,15})?:/

interface Parts {
  readonly tag: string
  readonly n: number | undefined
  readonly body: string
}

function split(text: unknown): Parts | string {
  if (typeof text !== 'string') return 'not a text frame'
  const match = HEADER.exec(text.length > 20 ? text.slice(0, 20) : text)
  if (!match) return 'unreadable frame header'
  const tag = match[1] as string
  const n = match[2] === undefined ? undefined : Number(match[2])
  if (n !== undefined && !Number.isSafeInteger(n)) return 'frame id out of range'
  return { tag, n, body: text.slice(match[0].length) }
}

/**
 * Who waits for an answer to this frame, read from its header alone (the body is not looked at): an
 * invoke's frame id, or the correlation id a send frame names.
 */
export function answerIdOf(text: string): { readonly t: 'invoke' | 'send'; readonly n: number } | undefined {
  const parts = split(text)
  if (typeof parts === 'string' || parts.n === undefined) return undefined
  if (parts.tag === 'i' || parts.tag === 'I') return { t: 'invoke', n: parts.n }
  if (parts.tag === 's' || parts.tag === 'S') return { t: 'send', n: parts.n }
  return undefined
}

/** devalue's `parse` with the codec's revivers (the general path; tests compare the fast one to it). */
export function devalueParse(body: string): unknown {
  return unflatten(JSON.parse(body), revivers)
}

/** The host's devalue reader (devalue's parse is JSON.parse then `unflatten`): plain data is rebuilt without devalue's machinery. */
function hostUnflatten(parsed: unknown): unknown {
  const plain = plainUnflatten(parsed)
  return plain === NOT_PLAIN ? unflatten(parsed as number | unknown[], revivers) : plain
}

/** Thrown inside decoding for a body over the frame limits; becomes the decode's `reason`. */
class OverLimit extends Error {}

/** `hostUnflatten` behind the frame limits: what devalue would revive at a cost out of proportion is refused. */
function boundedHostReader(bodyLength: number, limits: FrameLimits): (parsed: unknown) => unknown {
  return (parsed) => {
    const problem = devalueBodyProblem(parsed, bodyLength, limits)
    if (problem !== undefined) throw new OverLimit(`frame over the limits: ${problem}`)
    return hostUnflatten(parsed)
  }
}

/** The renderer's devalue reader: devalue's own. */
function rendererUnflatten(parsed: unknown): unknown {
  return unflatten(parsed as number | unknown[], revivers)
}

/** `json`: a compact body (upper-case tag), read with JSON.parse alone; otherwise a devalue body, rebuilt by `read`. */
function decodeBody(body: string, json: boolean, read: (parsed: unknown) => unknown): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    const parsed: unknown = JSON.parse(body)
    return { ok: true, value: json ? parsed : read(parsed) }
  } catch (error) {
    if (error instanceof OverLimit) return { ok: false, reason: error.message }
    // A hostile body can also overflow the stack (deep nesting): that is a RangeError, caught here too.
    return { ok: false, reason: `undecodable body (${error instanceof Error ? error.message : String(error)})` }
  }
}

function isNamedPair(value: unknown): value is [string, unknown] {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'string'
}

/** What the host reads, within `limits` (frame-limits.ts). Never throws. */
export function decodeClientFrame(text: unknown, limits: FrameLimits = DEFAULT_FRAME_LIMITS): Decoded<ClientFrame> {
  const parts = split(text)
  if (typeof parts === 'string') return { ok: false, n: undefined, reason: parts }
  const { tag, n, body } = parts
  const id = tag === 'i' || tag === 'I' ? n : undefined
  if (nestsDeeperThan(body, limits.maxDepth)) return { ok: false, n: id, reason: `frame over the limits: nested deeper than ${limits.maxDepth} levels` }
  const hostReader = boundedHostReader(body.length, limits)
  if (tag === 'i' || tag === 'I') {
    if (n === undefined) return { ok: false, n: undefined, reason: 'invoke frame without an id' }
    const decoded = decodeBody(body, tag === 'I', hostReader)
    if (!decoded.ok) return { ok: false, n, reason: decoded.reason }
    if (!isNamedPair(decoded.value)) return { ok: false, n, reason: 'an invoke frame carries [method, params]' }
    return { ok: true, frame: { t: 'invoke', n, method: decoded.value[0], params: decoded.value[1] } }
  }
  if (tag === 's' || tag === 'S') {
    // `n` here names whom to answer with an error envelope (a failure for that id), not a frame to reply to.
    const decoded = decodeBody(body, tag === 'S', hostReader)
    if (!decoded.ok) return { ok: false, n: undefined, sendId: n, reason: decoded.reason }
    if (!isNamedPair(decoded.value)) return { ok: false, n: undefined, sendId: n, reason: 'a send frame carries [method, params]' }
    return { ok: true, frame: { t: 'send', n, method: decoded.value[0], params: decoded.value[1] } }
  }
  return { ok: false, n: undefined, reason: `unexpected frame type "${tag}" from a client` }
}

/** What the bridge reads. Never throws. */
export function decodeHostFrame(text: unknown): Decoded<HostFrame> {
  const parts = split(text)
  if (typeof parts === 'string') return { ok: false, n: undefined, reason: parts }
  const { tag, n, body } = parts
  if (tag === 'r' || tag === 'R') {
    if (n === undefined) return { ok: false, n: undefined, reason: 'reply frame without an id' }
    const decoded = decodeBody(body, tag === 'R', rendererUnflatten)
    if (!decoded.ok) return { ok: false, n, reason: decoded.reason }
    return { ok: true, frame: { t: 'reply', n, value: decoded.value } }
  }
  if (tag === 'm' || tag === 'M') {
    if (n !== undefined) return { ok: false, n: undefined, reason: 'a message frame has no id' }
    const decoded = decodeBody(body, tag === 'M', rendererUnflatten)
    if (!decoded.ok) return { ok: false, n: undefined, reason: decoded.reason }
    return { ok: true, frame: { t: 'message', message: decoded.value } }
  }
  return { ok: false, n: undefined, reason: `unexpected frame type "${tag}" from a host` }
}
