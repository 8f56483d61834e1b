/**
 * `http.request`: one HTTP request with Node's built-in fetch (undici inside; undici 8 itself needs Node 22),
 * to allowed hosts only, redirects followed by hand so each hop is checked too, a time limit per attempt,
 * retries with exponential backoff (honouring Retry-After), a cap on the body read, and the node's signal
 * passed to fetch so cancelling the run aborts the request in flight.
 */
import { z } from 'zod'
import { MAX_RESPONSE_BYTES, type HttpSettings } from './settings'
import { isHostAllowed } from './allowed-hosts'

/** Thrown to fail the node with a typed code (the node plugin records `code`, `message` and `issues`). */
function nodeError(code: string, message: string, issues?: { path: (string | number)[]; message: string }[]): Error {
  return Object.assign(new Error(message), { code }, issues ? { issues } : {})
}

const scalar = z.union([z.string(), z.number(), z.boolean()])

const bodySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('json'), value: z.json() }),
  z.object({ type: z.literal('text'), value: z.string(), contentType: z.string().max(200).default('text/plain; charset=utf-8') }),
  z.object({ type: z.literal('form'), value: z.record(z.string(), scalar) }),
])

export const requestInput = z.object({
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']).default('GET'),
  url: z.string().min(1).max(8192).describe('An http: or https: URL on an allowed host'),
  headers: z.record(z.string().min(1).max(200), z.string().max(8192)).default({}),
  query: z.record(z.string(), z.union([scalar, z.array(scalar)])).default({}).describe('Added to the URL\'s query string'),
  body: bodySchema.optional().describe('JSON, text, or a form (application/x-www-form-urlencoded)'),
  responseType: z.enum(['auto', 'json', 'text', 'bytes']).default('auto').describe('auto: JSON when the response says so, text otherwise'),
  timeoutMs: z.number().int().min(1).max(300_000).default(30_000).describe('Time limit of each attempt'),
  retries: z.number().int().min(0).max(10).default(0),
  retryDelayMs: z.number().int().min(0).max(60_000).default(500).describe('First backoff; doubled at each retry'),
  retryOn: z.array(z.number().int().min(100).max(599)).default([408, 429, 500, 502, 503, 504]),
  failOnStatus: z.boolean().default(true).describe('Fail the node on a status outside 200-299 (after retries)'),
})

export const requestOutput = z.object({
  status: z.number(),
  statusText: z.string(),
  ok: z.boolean(),
  url: z.string(),
  headers: z.record(z.string(), z.string()),
  bodyType: z.enum(['json', 'text', 'bytes', 'empty']),
  /** JSON value, text, or base64 for bytes; null when empty. */
  body: z.json(),
  attempts: z.number(),
})

type RequestInput = z.output<typeof requestInput>
type RequestOutput = z.input<typeof requestOutput>

interface NodeContext {
  readonly signal: AbortSignal
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, data?: unknown): void
  progress(fraction: number, message?: string): void
}

const MAX_BACKOFF_MS = 60_000

function parseUrl(input: RequestInput): URL {
  let url: URL
  try {
    url = new URL(input.url)
  } catch {
    throw nodeError('INVALID_URL', `"${input.url}" is not a URL`, [{ path: ['url'], message: 'Not a URL' }])
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw nodeError('INVALID_URL', `Only http: and https: URLs are allowed, not ${url.protocol}`, [{ path: ['url'], message: 'Not http(s)' }])
  }
  if (url.username !== '' || url.password !== '') {
    throw nodeError('INVALID_URL', 'Credentials in the URL are not allowed: send an Authorization header', [{ path: ['url'], message: 'Credentials in the URL' }])
  }
  for (const [key, value] of Object.entries(input.query)) {
    for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(key, String(item))
  }
  return url
}

function checkHost(url: URL, settings: HttpSettings, field: string): void {
  if (!isHostAllowed(url, settings.allowedHosts)) {
    throw nodeError(
      'HOST_NOT_ALLOWED',
      `The host "${url.host}" is not allowed: add it to the http plugin's allowed hosts in Settings`,
      [{ path: [field], message: `Host ${url.host} not allowed` }],
    )
  }
}

function requestBody(input: RequestInput, headers: Headers): string | URLSearchParams | undefined {
  const { body } = input
  if (body === undefined) return undefined
  if (input.method === 'GET' || input.method === 'HEAD') {
    throw nodeError('INVALID_BODY', `A ${input.method} request has no body`, [{ path: ['body'], message: 'No body allowed' }])
  }
  switch (body.type) {
    case 'json':
      if (!headers.has('content-type')) headers.set('content-type', 'application/json')
      return JSON.stringify(body.value)
    case 'text':
      if (!headers.has('content-type')) headers.set('content-type', body.contentType)
      return body.value
    case 'form':
      return new URLSearchParams(Object.entries(body.value).map(([key, value]) => [key, String(value)]))
  }
}

/** Reads at most `limit` bytes of the body; more fails the node (and stops the download). */
async function readCapped(response: Response, limit: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN)
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel()
    throw nodeError('RESPONSE_TOO_LARGE', `The response is ${declared} bytes, more than the ${limit} allowed`)
  }
  if (response.body === null) return new Uint8Array()
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await reader.cancel()
      throw nodeError('RESPONSE_TOO_LARGE', `The response is more than the ${limit} bytes allowed`)
    }
    chunks.push(value)
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return bytes
}

function decodeBody(bytes: Uint8Array, response: Response, responseType: RequestInput['responseType']): Pick<RequestOutput, 'body' | 'bodyType'> {
  if (bytes.byteLength === 0 && responseType !== 'bytes') return { bodyType: 'empty', body: null }
  const contentType = response.headers.get('content-type') ?? ''
  const type = responseType === 'auto' ? (/[/+]json\b/i.test(contentType) ? 'json' : 'text') : responseType
  if (type === 'bytes') return { bodyType: 'bytes', body: Buffer.from(bytes).toString('base64') }
  const text = new TextDecoder().decode(bytes)
  if (type === 'text') return { bodyType: 'text', body: text }
  try {
    return { bodyType: 'json', body: JSON.parse(text) as z.core.util.JSONType }
  } catch {
    throw nodeError('INVALID_JSON', `The response is not JSON (${contentType || 'no content type'}): ${text.slice(0, 200)}`)
  }
}

/** Milliseconds from a Retry-After header (seconds or an HTTP date), if any. */
function retryAfterMs(response: Response, now: number): number | undefined {
  const header = response.headers.get('retry-after')
  if (header === null) return undefined
  const seconds = Number(header)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const date = Date.parse(header)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/** Waits `ms`, or rejects at once when `signal` aborts (no timer left behind). */
function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error)
      return
    }
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal.reason as Error)
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

const REDIRECTS = new Set([301, 302, 303, 307, 308])

interface Attempt {
  readonly response: Response
  readonly url: URL
}

/** One attempt: fetch, following redirects by hand (each hop's host checked; credentials dropped across origins). */
async function attempt(input: RequestInput, url: URL, settings: HttpSettings, signal: AbortSignal): Promise<Attempt> {
  let method: string = input.method
  let current = url
  let headers = new Headers(input.headers)
  let body = requestBody(input, headers)
  for (let hop = 0; ; hop++) {
    const response = await fetch(current, { method, headers, body, redirect: 'manual', signal })
    const location = response.headers.get('location')
    if (!REDIRECTS.has(response.status) || location === null) return { response, url: current }
    await response.body?.cancel()
    if (hop >= settings.maxRedirects) throw nodeError('TOO_MANY_REDIRECTS', `More than ${settings.maxRedirects} redirects`)
    const next = new URL(location, current)
    if (next.protocol !== 'http:' && next.protocol !== 'https:') throw nodeError('INVALID_URL', `A redirect to ${next.protocol} is not followed`)
    checkHost(next, settings, 'url')
    if (next.origin !== current.origin) {
      headers = new Headers(headers)
      for (const name of ['authorization', 'cookie', 'proxy-authorization']) headers.delete(name)
    }
    if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
      method = method === 'HEAD' ? 'HEAD' : 'GET'
      body = undefined
      headers.delete('content-type')
    }
    current = next
  }
}

function isAbortOf(signal: AbortSignal, error: unknown): boolean {
  return signal.aborted && (error === signal.reason || (error instanceof Error && error.name === 'AbortError'))
}

export function createRequestNode(settings: () => HttpSettings) {
  return {
    id: 'http.request',
    title: 'HTTP request',
    description: 'Sends an HTTP request to an allowed host and outputs the status, headers and body (JSON, text or bytes as base64).',
    category: 'http',
    input: requestInput,
    output: requestOutput,
    async execute(input: RequestInput, ctx: NodeContext): Promise<RequestOutput> {
      const current = settings()
      const url = parseUrl(input)
      checkHost(url, current, 'url')
      const limit = Math.min(current.maxResponseBytes, MAX_RESPONSE_BYTES)
      for (let attemptNumber = 1; ; attemptNumber++) {
        if (ctx.signal.aborted) throw ctx.signal.reason as Error
        const timeout = AbortSignal.timeout(input.timeoutMs)
        const signal = AbortSignal.any([ctx.signal, timeout])
        let retryable: { reason: string; delayMs?: number } | undefined
        try {
          ctx.log('debug', `${input.method} ${url.href} (attempt ${attemptNumber})`)
          const { response, url: finalUrl } = await attempt(input, url, current, signal)
          const willRetry = input.retryOn.includes(response.status) && attemptNumber <= input.retries
          if (willRetry) {
            await response.body?.cancel()
            retryable = { reason: `status ${response.status}`, delayMs: retryAfterMs(response, Date.now()) }
          } else {
            const bytes = input.method === 'HEAD' ? new Uint8Array() : await readCapped(response, limit)
            const decoded = decodeBody(bytes, response, input.responseType)
            if (!response.ok && input.failOnStatus) {
              throw Object.assign(nodeError('HTTP_STATUS', `${input.method} ${finalUrl.href} answered ${response.status} ${response.statusText}`), {
                status: response.status,
              })
            }
            ctx.progress(1)
            return {
              status: response.status,
              statusText: response.statusText,
              ok: response.ok,
              url: finalUrl.href,
              headers: Object.fromEntries(response.headers),
              ...decoded,
              attempts: attemptNumber,
            }
          }
        } catch (error) {
          if (ctx.signal.aborted) throw ctx.signal.reason as Error
          if (timeout.aborted && isAbortOf(signal, error)) {
            if (attemptNumber > input.retries) {
              throw nodeError('REQUEST_TIMEOUT', `${input.method} ${url.href} took longer than ${input.timeoutMs} ms`, [{ path: ['timeoutMs'], message: 'Exceeded' }])
            }
            retryable = { reason: 'timeout' }
          } else if (error instanceof TypeError && attemptNumber <= input.retries) {
            retryable = { reason: `network error: ${error.message}` }
          } else if (error instanceof TypeError) {
            const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause
            throw nodeError('NETWORK_ERROR', `${input.method} ${url.href} failed: ${String(cause?.code ?? cause?.message ?? error.message)}`)
          } else {
            throw error
          }
        }
        const backoff = Math.min(MAX_BACKOFF_MS, retryable.delayMs ?? input.retryDelayMs * 2 ** (attemptNumber - 1))
        ctx.log('info', `Retrying after ${retryable.reason} in ${backoff} ms`, { attempt: attemptNumber })
        await wait(backoff, ctx.signal)
      }
    },
  }
}
