import * as z from 'zod'
import { NodeError, NodeErrorCodes } from '../errors'
import { defineNodeType } from '../node-type'

export const MAX_DELAY_MS = 60_000

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason
  return reason instanceof Error ? reason : new NodeError(NodeErrorCodes.CANCELLED, 'Delay cancelled')
}

/** Progress every tenth of the wait, but no more often than 100 ms and no less than every second. */
export function progressInterval(ms: number): number {
  return Math.min(1000, Math.max(100, Math.round(ms / 10)))
}

/**
 * Waits `ms`, calling `onTick(elapsedMs)` every `progressInterval(ms)`; rejects at once (with the
 * signal's reason) when `signal` aborts, leaving no timer behind.
 */
export function wait(ms: number, signal: AbortSignal, onTick: (elapsedMs: number) => void = () => {}): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) {
      reject(abortReason(signal))
      return
    }
    const step = progressInterval(ms)
    let elapsed = 0
    const cleanup = (): void => {
      clearTimeout(timer)
      clearInterval(ticker)
      signal.removeEventListener('abort', onAbort)
    }
    const onAbort = (): void => {
      cleanup()
      reject(abortReason(signal))
    }
    // created first, so when both fall due together the wait ends before another tick
    const timer = setTimeout(() => {
      cleanup()
      resolve()
    }, ms)
    const ticker = setInterval(() => {
      elapsed += step
      if (elapsed < ms) onTick(elapsed)
    }, step)
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

/**
 * `core.delay`: waits `ms` (0 to 60000), reporting progress, then outputs `waitedMs` and passes
 * `value` through. Cancellable: it rejects as soon as the signal aborts.
 */
export const delayNode = defineNodeType({
  id: 'core.delay',
  title: 'Delay',
  description: 'Waits a number of milliseconds (at most 60000), then passes its value through.',
  category: 'core',
  input: z.object({
    ms: z.number().int().min(0).max(MAX_DELAY_MS),
    value: z.json().optional(),
  }),
  output: z.object({ waitedMs: z.number(), value: z.json().optional() }),
  async execute({ ms, value }, ctx) {
    ctx.log('debug', `Waiting ${ms} ms`)
    ctx.progress(0)
    try {
      await wait(ms, ctx.signal, (elapsed) => ctx.progress(elapsed / ms, `${elapsed} / ${ms} ms`))
    } catch (error) {
      ctx.log('info', 'Delay cancelled')
      throw error
    }
    ctx.progress(1)
    return value === undefined ? { waitedMs: ms } : { waitedMs: ms, value }
  },
})
