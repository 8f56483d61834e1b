import { describe, expect, it } from 'vitest'
import type { AtomitonBridge } from '@atomiton/core/client'
import { connect, rpcUrlOf, tokenOf } from '../src/connect'

const location = (search: string) => ({ search, host: '127.0.0.1:4310', protocol: 'http:' })

describe('picking the bridge', () => {
  it('uses the preload bridge inside Electron, whatever the URL says', async () => {
    const bridge: AtomitonBridge = { invoke: async () => undefined, on: () => () => undefined, send: () => undefined }
    const result = await connect({ location: location(''), atomitonBridge: bridge })
    expect(result.ok && result.link.mode).toBe('electron')
    expect(result.ok && result.link.bridge).toBe(bridge)
  })

  it('refuses at once, without opening anything, when the page has no token', async () => {
    await expect(connect({ location: location('') })).resolves.toEqual({ ok: false, reason: 'no-token' })
    await expect(connect({ location: location('?token=') })).resolves.toEqual({ ok: false, reason: 'no-token' })
  })

  it('reads the token and the socket address from the page', () => {
    expect(tokenOf('?token=abc-123&x=1')).toBe('abc-123')
    expect(tokenOf('?x=1')).toBeUndefined()
    expect(rpcUrlOf(location(''))).toBe('ws://127.0.0.1:4310/rpc')
    expect(rpcUrlOf({ ...location(''), protocol: 'https:' })).toBe('wss://127.0.0.1:4310/rpc')
  })
})
