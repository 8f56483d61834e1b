/**
 * The grants policy of the app's own UI: which permissions a renderer gets, in Electron (per window) and
 * in browser mode (per WebSocket connection). Shared by `app/main` and `app/serve`; browser-safe and
 * dependency-free, so the renderer may import it too (e.g. to explain a FORBIDDEN error).
 *
 * How grants work (core/src/host/caller.ts): a grant is an exact permission (`system.read`), a prefix
 * wildcard (`storage.*` covers `storage.read` and `storage.write`) or `*`. The router checks the
 * procedure's permission against the caller's grants on every call and subscription, and discovery
 * (`rpc.discover`) lists only what the caller may use. A renderer reaches only exposed procedures.
 *
 * The policy (one list, deliberately explicit):
 *
 * | grant          | for                                                                               |
 * |----------------|-----------------------------------------------------------------------------------|
 * | `rpc.*`        | discovery and subscriptions; public today (permission ''), kept if ever gated     |
 * | `system.read`  | System view: health, info, plugin list, `system.pluginChanged`                    |
 * | `system.admin` | Settings view: enable and disable plugins                                         |
 * | `storage.*`    | Storage view: `storage.read` / `storage.write` (renderers see every namespace)   |
 * | `node.*`       | Nodes view: `node.read` / `node.execute`                                          |
 * | `workflow.*`   | Workflows view: `workflow.read` / `workflow.write` / `workflow.run`               |
 *
 * Never `*`: a plugin added later (or a future `system.*` permission) is not reachable from the UI until
 * its grant is added here, on purpose. A test checks that these grants cover every exposed procedure and
 * event of the built-in plugins, and nothing of a plugin outside the list.
 *
 * Both surfaces get the same grants: the browser page is the same app, and only a page holding the
 * per-start token, from the server's own origin, can connect at all. Windows Electron did not create
 * through the app (unknown WebContents) get no grants (see `app/main/boot.ts`).
 */

/** Where a renderer runs: an Electron window made by main, or a browser page of `npm run serve`. */
export type UiSurface = 'electron-window' | 'browser'

/** The grants of the app's own UI (the Vue renderer): everything its views use, and no more. */
export const APP_UI_GRANTS: readonly string[] = Object.freeze([
  'rpc.*',
  'system.read',
  'system.admin',
  'storage.*',
  'node.*',
  'workflow.*',
])

export type GrantsPolicy = Readonly<Record<UiSurface, readonly string[]>>

export const DEFAULT_GRANTS_POLICY: GrantsPolicy = Object.freeze({
  'electron-window': APP_UI_GRANTS,
  browser: APP_UI_GRANTS,
})

/** A fresh, frozen copy of the grants of `surface` under `policy` (the default policy unless given). */
export function grantsFor(surface: UiSurface, policy: GrantsPolicy = DEFAULT_GRANTS_POLICY): readonly string[] {
  return Object.freeze([...policy[surface]])
}

const GRANT_PATTERN = /^(\*|[A-Za-z][\w-]*(\.[A-Za-z][\w-]*)*(\.\*)?)$/

/** True for a well-formed grant: `*`, `a.b.c` or `a.b.*` (segments start with a letter). */
export function isGrantPattern(grant: string): boolean {
  return GRANT_PATTERN.test(grant)
}
