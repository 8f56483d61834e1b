/**
 * The API Explorer: any discovered method called by name (`$call`) with its result or error and
 * duration, and any discovered event subscribed to with a live log.
 */
import { defineStore } from 'pinia'
import { reactive, ref, shallowRef } from 'vue'
import type { ProcedureDescription } from '../conductor'
import type { SubscribeOptions, Subscription } from '@atomiton/core/client'
import { toErrorInfo, type ErrorInfo } from '../lib/errors'
import { plain } from '../lib/plain'
import { useConnectionStore } from './connection'

export type CallOutcome =
  | { readonly ok: true; readonly method: string; readonly value: unknown; readonly durationMs: number; readonly at: number }
  | { readonly ok: false; readonly method: string; readonly error: ErrorInfo; readonly durationMs: number; readonly at: number }

export interface LogEntry {
  readonly seq: number
  readonly at: number
  readonly event: string
  readonly kind: 'event' | 'subscribed' | 'ended' | 'refused'
  readonly payload?: unknown
  readonly note?: string
}

export type SubscriptionState = 'subscribing' | 'active'

const LOG_LIMIT = 500

export const useExplorerStore = defineStore('explorer', () => {
  const connection = useConnectionStore()
  const selected = ref<string | null>(null)
  /** The selected method as discovery described it, kept when its plugin goes away (calls then fail). */
  const described = shallowRef<ProcedureDescription | null>(null)
  /** Form data per method. */
  const params = reactive<Record<string, unknown>>({})
  const outcomes = reactive<Record<string, CallOutcome>>({})
  const calling = ref<string | null>(null)
  const log = shallowRef<readonly LogEntry[]>([])
  const subscriptions = reactive<Record<string, SubscriptionState>>({})
  const stops = new Map<string, () => void>()
  let seq = 0

  function select(procedure: ProcedureDescription): void {
    selected.value = procedure.method
    described.value = procedure
  }

  async function call(method: string, input: unknown): Promise<CallOutcome> {
    calling.value = method
    const started = performance.now()
    let outcome: CallOutcome
    try {
      const value = await connection.client().$call(method, plain(input))
      outcome = { ok: true, method, value, durationMs: performance.now() - started, at: Date.now() }
    } catch (caught) {
      outcome = { ok: false, method, error: toErrorInfo(caught), durationMs: performance.now() - started, at: Date.now() }
    } finally {
      if (calling.value === method) calling.value = null
    }
    outcomes[method] = outcome
    return outcome
  }

  function append(entry: Omit<LogEntry, 'seq' | 'at'>): void {
    const next = [{ ...entry, seq: ++seq, at: Date.now() }, ...log.value]
    log.value = next.length > LOG_LIMIT ? next.slice(0, LOG_LIMIT) : next
  }

  function subscribe(event: string): void {
    if (stops.has(event)) return
    subscriptions[event] = 'subscribing'
    const forget = () => {
      stops.delete(event)
      delete subscriptions[event]
    }
    // `$on` is typed for the events the client knows; the explorer subscribes to whatever discovery lists.
    const on = connection.client().$on as (event: string, listener: (payload: unknown) => void, options?: SubscribeOptions) => Subscription
    const subscription = on(event, (payload) => append({ event, kind: 'event', payload }), {
      onEnd: (reason) => {
        forget()
        append({ event, kind: 'ended', note: reason })
      },
      onError: (error) => {
        forget()
        append({ event, kind: 'refused', note: toErrorInfo(error).message })
      },
    })
    stops.set(event, subscription)
    subscription.ready.then(
      () => {
        if (stops.get(event) !== subscription) return
        subscriptions[event] = 'active'
        append({ event, kind: 'subscribed' })
      },
      () => undefined,
    )
  }

  function unsubscribe(event: string): void {
    stops.get(event)?.()
    stops.delete(event)
    delete subscriptions[event]
  }

  function clearLog(): void {
    log.value = []
  }

  return { selected, described, params, outcomes, calling, log, subscriptions, select, call, subscribe, unsubscribe, clearLog }
})
