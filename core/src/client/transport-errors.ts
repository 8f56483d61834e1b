/**
 * What a bridge's own failure means for a call. Bridges reject (instead of answering an envelope) only
 * when the message could not travel: Electron wraps main-side failures as "Error invoking remote method
 * 'CHANNEL': Error: ...", and a value the structured clone algorithm refuses fails with "could not be
 * cloned". Everything else is a transport that is down.
 */
import { RpcError } from '../common/errors'

export function fromTransportFailure(error: unknown, method: string): RpcError {
  if (error instanceof RpcError) return error
  const message = error instanceof Error ? error.message : String(error)
  const uncloneable = /could not be cloned|DataCloneError|could not be serialized/i.test(message)
  if (message.startsWith('Error invoking remote method')) {
    return new RpcError(
      'INTERNAL',
      uncloneable
        ? `The answer to ${method} could not be sent over the bridge (not structured-cloneable)`
        : `The host failed to answer ${method}`,
    )
  }
  if (uncloneable || (error instanceof Error && error.name === 'DataCloneError')) {
    return new RpcError('INVALID_PARAMS', `The params of ${method} could not be sent over the bridge (not structured-cloneable)`, {
      issues: [{ path: [], message: 'Value is not structured-cloneable (functions, symbols and DOM objects cannot cross)' }],
    })
  }
  return new RpcError('UNAVAILABLE', `The bridge failed: ${message}`)
}
