/**
 * Who is calling: every request and subscription is made by a caller with an identity and a set of grants.
 *
 * - `renderer`: a window (Electron) or a WebSocket connection (browser mode). Can reach only procedures and
 *   events their plugin exposes (`expose: true`), and only with a matching grant.
 * - `plugin`: another plugin calling in process (its grants are the `permissions` its definition declares).
 * - `main`: the host itself (tests, the app's own code in main); may call anything it is granted.
 */
export type CallerKind = 'renderer' | 'plugin' | 'main'

export interface Caller {
  /** Stable for the caller's lifetime: `window:3`, `ws:7`, `plugin:workflow`, `main`. */
  readonly id: string
  readonly kind: CallerKind
  /**
   * Permission patterns: an exact permission (`storage.write`), a prefix wildcard (`storage.*`, which
   * matches `storage.write` and `storage.admin.reset`) or `*` for everything.
   */
  readonly grants: readonly string[]
  /**
   * The authenticated client this caller belongs to, when a transport knows it (a WebSocket token:
   * `ws-client:1`): its callers share one call budget, so opening more connections buys no more calls.
   * Without it the budget is the caller's own.
   */
  readonly client?: string
}

/** True when one of the grants covers `permission`. An empty permission is public (needs no grant). */
export function isGranted(grants: readonly string[], permission: string): boolean {
  if (permission === '') return true
  for (const grant of grants) {
    if (grant === '*' || grant === permission) return true
    if (grant.endsWith('.*') && permission.startsWith(grant.slice(0, -1))) return true
  }
  return false
}
