/**
 * The grants policy of the app's own UI: which permissions a renderer gets, in Electron (per window) and
 * in browser mode (per WebSocket connection). Browser-safe and dependency-free, so the renderer may import
 * it too (e.g. to explain a FORBIDDEN error); the live list a host serves is `live-grants.ts`.
 *
 * How grants work (core/src/host/caller.ts): a grant is an exact permission (`system.read`), a prefix
 * wildcard (`storage.*`) or `*`. The router checks the procedure's permission against the caller's grants
 * on every call and subscription, and discovery (`rpc.discover`) lists only what the caller may use. A
 * renderer reaches only exposed procedures and events.
 *
 * The policy follows from what the plugins declare, not from a hand-kept list: the UI gets `rpc.*` (the
 * host's discovery and subscriptions) and the permission of every procedure and event a loaded plugin
 * exposes (`expose: true`), recomputed whenever the catalog changes. So a built-in added to the list, or a
 * package the person approved at install, is reachable from the UI at once; a permission that only guards
 * non-exposed procedures (a plugin's internals) is never granted to a renderer; and a plugin that is not
 * loaded contributes nothing. Never `*`.
 *
 * Both surfaces get the same grants: the browser page is the same app, and only a page holding the
 * per-start token, from the server's own origin, can connect at all. Windows Electron did not create
 * through the app (unknown WebContents) get no grants (see `app/main/boot.ts`).
 */

/** Where a renderer runs: an Electron window made by main, or a browser page of `npm run serve`. */
export type UiSurface = 'electron-window' | 'browser'

/** A fixed grants list per surface, replacing the derived one (tests, or an app that wants less). */
export type GrantsPolicy = Readonly<Record<UiSurface, readonly string[]>>

/** Granted to every UI whatever the plugins: the host's own `rpc` domain (public today, kept if ever gated). */
export const BASE_UI_GRANTS: readonly string[] = Object.freeze(['rpc.*'])

/** A procedure or an event as the host registers it: its permission, and whether renderers may reach it. */
export interface PermissionEntry {
  readonly permission: string
  readonly exposed: boolean
}

/**
 * The UI's grants for a catalog: `rpc.*` and, sorted and once each, the permission of every exposed
 * procedure and event (an empty permission is public and needs no grant).
 */
export function uiGrantsOf(entries: Iterable<PermissionEntry>): readonly string[] {
  const permissions = new Set<string>()
  for (const { permission, exposed } of entries) {
    if (exposed && permission !== '' && !BASE_UI_GRANTS.includes(permission)) permissions.add(permission)
  }
  return Object.freeze([...BASE_UI_GRANTS, ...[...permissions].sort()])
}

const GRANT_PATTERN = /^(\*|[A-Za-z][\w-]*(\.[A-Za-z][\w-]*)*(\.\*)?)$/

/** True for a well-formed grant: `*`, `a.b.c` or `a.b.*` (segments start with a letter). */
export function isGrantPattern(grant: string): boolean {
  return GRANT_PATTERN.test(grant)
}
