/**
 * A real HTTP server on 127.0.0.1 for tests of plugins that make requests (plugins cannot import `node:http`).
 * Closed at the end of the test that created it; requests still open are destroyed.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { onTestFinished } from 'vitest'

export type { IncomingMessage, ServerResponse }

export interface ReceivedRequest {
  readonly method: string
  readonly url: string
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
  readonly body: string
}

export interface LocalServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string
  readonly port: number
  /** Every request received, in order, with its body. */
  readonly requests: ReceivedRequest[]
  /** Resolves when the n-th request (1-based) has arrived (its body read). */
  received(count: number): Promise<ReceivedRequest>
  /** Resolves when the n-th request's connection closed (e.g. the client aborted). */
  closedConnections(count: number): Promise<void>
  close(): Promise<void>
}

type Handler = (request: IncomingMessage & { body: string }, response: ServerResponse) => unknown

export async function startLocalServer(handler: Handler): Promise<LocalServer> {
  const requests: ReceivedRequest[] = []
  const waiters: { count: number; resolve: (request: ReceivedRequest) => void }[] = []
  const closeWaiters: { count: number; resolve: () => void }[] = []
  let closed = 0
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    response.on('close', () => {
      closed++
      for (const waiter of closeWaiters.filter((w) => w.count <= closed)) waiter.resolve()
    })
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const received = { method: request.method ?? '', url: request.url ?? '', headers: { ...request.headers }, body }
      requests.push(received)
      for (const waiter of waiters.filter((w) => w.count === requests.length)) waiter.resolve(received)
      void Promise.resolve().then(() => handler(Object.assign(request, { body }), response)).catch((error: unknown) => {
        response.statusCode = 500
        response.end(String(error))
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  try {
    onTestFinished(() => close())
  } catch {
    // created outside a running test: the caller closes it
  }
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    requests,
    received: (count) => {
      const already = requests[count - 1]
      if (already !== undefined) return Promise.resolve(already)
      return new Promise((resolve) => waiters.push({ count, resolve }))
    },
    closedConnections: (count) => (closed >= count ? Promise.resolve() : new Promise((resolve) => closeWaiters.push({ count, resolve }))),
    close,
  }
}
