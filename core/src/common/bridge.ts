/**
 * The bridge contract: the exact shape of `window.atomitonBridge`.
 *
 * Every transport (the in-memory test bridge, Electron IPC through the preload, the WebSocket bridge of
 * browser mode) implements this and nothing else. The bridge knows nothing of domains, schemas or
 * permissions: it moves a method name and a structured-cloneable value, and it delivers events.
 */
export interface AtomitonBridge {
  /** Sends a request and resolves with the host's answer (always an envelope, see `protocol.ts`). */
  invoke(method: string, params?: unknown): Promise<unknown>
  /** Listens for an event pushed by the host; returns the function that stops listening. */
  on(event: string, callback: (payload: unknown) => void): () => void
  /** Sends a one-way message; nothing is answered. */
  send(method: string, params?: unknown): void
}
