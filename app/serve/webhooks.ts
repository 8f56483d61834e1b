/**
 * Browser mode's local webhooks: `POST /hooks/<workflow id>` starts a run of a workflow that has a webhook
 * trigger (plugins/workflow, "Triggers"). The workflow plugin decides (procedure `workflow.webhook`, not
 * exposed to pages): this module only speaks HTTP. Like everything the server serves, it listens on
 * 127.0.0.1 and checks the Host header (server.ts); the request must carry the trigger's token, as
 * `Authorization: Bearer <token>` (or `?token=`, never logged: the log keeps the path only).
 *
 * The body, when present, is JSON (`Content-Type: application/json`, at most 1 MiB) and becomes the
 * workflow's input. Answers: 202 `{ runId }`; 400 bad JSON or params, 401 no token, 403 wrong token or no
 * such webhook (the same answer, so ids cannot be probed), 405 not POST, 413 too large, 415 not JSON,
 * 503 the workflow plugin is off or busy. Errors are `{ error: { code, message } }`, never a stack.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Host } from '@atomiton/core/host/create-host'
import { RpcError } from '@atomiton/core/common/errors'

export const HOOKS_PATH = '/hooks/'
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024

const STATUS_OF: Readonly<Record<string, number>> = {
  INVALID_PARAMS: 400,
  BAD_REQUEST: 400,
  FORBIDDEN: 403,
  METHOD_NOT_FOUND: 503,
  PLUGIN_DISABLED: 503,
  UNAVAILABLE: 503,
  RATE_LIMITED: 429,
  PAYLOAD_TOO_LARGE: 413,
}

function answer(response: ServerResponse, headers: Record<string, string>, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  response.writeHead(status, { ...headers, ...extra, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Length': String(Buffer.byteLength(text)) })
  response.end(text)
}

const refuse = (response: ServerResponse, headers: Record<string, string>, status: number, code: string, message: string, extra?: Record<string, string>): void =>
  answer(response, headers, status, { error: { code, message } }, extra)

function tokenOf(request: IncomingMessage, url: URL): string | undefined {
  const authorization = request.headers.authorization
  if (authorization !== undefined) {
    const match = /^Bearer ([A-Za-z0-9_-]{1,200})$/.exec(authorization)
    return match?.[1]
  }
  return url.searchParams.get('token') ?? undefined
}

/** Reads the body up to the limit; undefined when it is over. */
function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    request.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_WEBHOOK_BODY_BYTES) {
        resolve(undefined)
        request.pause()
        return
      }
      chunks.push(chunk)
    })
    request.on('end', () => resolve(Buffer.concat(chunks)))
    request.on('error', reject)
  })
}

/** Handles a request under `/hooks/`. */
export async function handleWebhook(host: Host, request: IncomingMessage, response: ServerResponse, headers: Record<string, string>): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1')
  if (request.method !== 'POST') return refuse(response, headers, 405, 'METHOD_NOT_ALLOWED', 'Webhooks take POST', { Allow: 'POST' })
  let id: string
  try {
    id = decodeURIComponent(url.pathname.slice(HOOKS_PATH.length))
  } catch {
    return refuse(response, headers, 400, 'BAD_REQUEST', 'The workflow id in the path is not valid URL encoding')
  }
  if (id === '' || id.includes('/')) return refuse(response, headers, 404, 'NOT_FOUND', 'POST /hooks/<workflow id>')
  const token = tokenOf(request, url)
  if (token === undefined) return refuse(response, headers, 401, 'UNAUTHORIZED', "The webhook's token is required (Authorization: Bearer <token>)")
  if (Number(request.headers['content-length'] ?? 0) > MAX_WEBHOOK_BODY_BYTES) {
    return refuse(response, headers, 413, 'PAYLOAD_TOO_LARGE', `A webhook body has at most ${MAX_WEBHOOK_BODY_BYTES} bytes`, { Connection: 'close' })
  }
  const raw = await readBody(request)
  if (raw === undefined) return refuse(response, headers, 413, 'PAYLOAD_TOO_LARGE', `A webhook body has at most ${MAX_WEBHOOK_BODY_BYTES} bytes`, { Connection: 'close' })
  let body: unknown
  if (raw.length > 0) {
    if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) {
      return refuse(response, headers, 415, 'UNSUPPORTED_MEDIA_TYPE', 'A webhook body is JSON (Content-Type: application/json)')
    }
    try {
      body = JSON.parse(raw.toString('utf8'))
    } catch {
      return refuse(response, headers, 400, 'BAD_REQUEST', 'The body is not valid JSON')
    }
  }
  try {
    const result = await host.call('workflow.webhook', { id, token, ...(body === undefined ? {} : { body }) })
    answer(response, headers, 202, result)
  } catch (error) {
    if (error instanceof RpcError) return refuse(response, headers, STATUS_OF[error.code] ?? 500, error.code, error.code === 'INTERNAL' ? 'Internal error' : error.message)
    refuse(response, headers, 500, 'INTERNAL', 'Internal error')
  }
}
