/**
 * Picks the bridge to the host, before anything else of the app loads:
 *
 * - inside Electron the preload exposed `window.atomitonBridge`: use it (always connected);
 * - in a plain browser (browser mode, `npm run serve`) open a WebSocket bridge to `ws://<this host>/rpc`
 *   with the `?token=` of the page's own URL.
 *
 * Without a token, or when the host refuses the first handshake (a browser sees a refused upgrade as a
 * failed connection, so "the first attempt failed" is the signal), the answer is `ok: false` and the
 * caller shows the "not authorised" screen and loads nothing else.
 *
 * Later, a dropped link is retried; but each start of the server has a new token (and usually a new
 * port), so a tab whose server restarted can never get back in by itself. After `LOST_AFTER_ATTEMPTS`
 * failed attempts in a row the link stops retrying and says `lost`: the UI tells the person the server
 * stopped or restarted and how to reconnect (open the new address), instead of retrying for ever.
 */
import type { AtomitonBridge } from '@atomiton/core/client'
import { createWebSocketBridge } from '@atomiton/core/transports/websocket'

export type LinkState = 'open' | 'connecting' | 'reconnecting' | 'closed' | 'lost'

/** A running server answers the first retry (250 ms): four failures in a row (about 4 s) mean it is gone. */
export const LOST_AFTER_ATTEMPTS = 4

/** The live link to the host: which transport, and its state for the "reconnecting" banner. */
export interface Link {
  readonly mode: 'electron' | 'browser'
  readonly bridge: AtomitonBridge
  state(): LinkState
  /** Told of every later state change; returns the function that stops telling. */
  onStateChange(listener: (state: LinkState) => void): () => void
}

export type ConnectResult =
  | { readonly ok: true; readonly link: Link }
  | { readonly ok: false; readonly reason: 'no-token' | 'refused' }

interface PageLike {
  readonly location: { readonly search: string; readonly host: string; readonly protocol: string }
  readonly atomitonBridge?: AtomitonBridge | undefined
}

export function tokenOf(search: string): string | undefined {
  const token = new URLSearchParams(search).get('token')
  return token === null || token.trim() === '' ? undefined : token
}

export function rpcUrlOf(location: PageLike['location']): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/rpc`
}

export function connect(page: PageLike = window): Promise<ConnectResult> {
  if (page.atomitonBridge) {
    const bridge = page.atomitonBridge
    return Promise.resolve({ ok: true, link: { mode: 'electron', bridge, state: () => 'open', onStateChange: () => () => undefined } })
  }
  const token = tokenOf(page.location.search)
  if (token === undefined) return Promise.resolve({ ok: false, reason: 'no-token' })

  const listeners = new Set<(state: LinkState) => void>()
  return new Promise((resolve) => {
    let settled = false
    let failures = 0
    let lost = false
    const tell = (state: LinkState) => {
      for (const listener of [...listeners]) listener(state)
    }
    const bridge = createWebSocketBridge({
      url: rpcUrlOf(page.location),
      token,
      onStateChange: (state) => {
        if (!settled && state === 'reconnecting') {
          // The very first handshake failed: a wrong or stale token (or no server). Stop retrying.
          settled = true
          bridge.close()
          resolve({ ok: false, reason: 'refused' })
          return
        }
        if (lost) return
        if (state === 'open') failures = 0
        // 'reconnecting' follows the drop itself, then each failed attempt.
        else if (state === 'reconnecting' && ++failures > LOST_AFTER_ATTEMPTS) {
          lost = true
          bridge.close()
          tell('lost')
          return
        }
        tell(state)
      },
    })
    bridge.whenOpen().then(
      () => {
        if (settled) return
        settled = true
        resolve({
          ok: true,
          link: {
            mode: 'browser',
            bridge,
            state: () => (lost ? 'lost' : bridge.state),
            onStateChange: (listener) => {
              listeners.add(listener)
              return () => listeners.delete(listener)
            },
          },
        })
      },
      () => {
        if (settled) return
        settled = true
        resolve({ ok: false, reason: 'refused' })
      },
    )
  })
}
