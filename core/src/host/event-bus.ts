/**
 * Events: declared by plugins with zod schemas, validated on emit, delivered only to subscribers.
 *
 * Subscribing is a permission-checked call (`rpc.subscribe`). Subscriptions are kept per subscriber
 * (a connection) and end when it unsubscribes, when it disconnects (`unsubscribeAll`), or when the
 * plugin that declares the event is disabled, in which case each subscriber is told through the
 * `rpc.subscriptionEnded` event. In-process listeners (`ctx.on` of a plugin) live beside them.
 */
import { z } from 'zod'
import { describeError } from '../common/describe-error'
import { RpcError } from '../common/errors'
import type { EventDefinition, EventMap } from '../plugin/definition'
import { isGranted, type Caller } from './caller'
import { invalidParams } from './error-mapping'
import type { HostHooks } from './hooks'
import type { Logger } from './logger'
import type { Subscriber } from './router'
import { toDisposable, type Disposable } from './disposable'

export const SUBSCRIPTION_ENDED_EVENT = 'rpc.subscriptionEnded'

export interface EventEntry {
  readonly name: string
  readonly domain: string
  readonly definition: EventDefinition
  readonly permission: string
}

type Listener = (payload: unknown) => void

export interface EventBusDependencies {
  readonly hooks: HostHooks
  readonly logger: Logger
}

export class EventBus {
  readonly #events = new Map<string, EventEntry>()
  readonly #byDomain = new Map<string, string[]>()
  /** event name -> subscriber id -> subscriber */
  readonly #subscribers = new Map<string, Map<string, Subscriber>>()
  readonly #listeners = new Map<string, Set<Listener>>()
  readonly #logger: Logger

  constructor({ hooks, logger }: EventBusDependencies) {
    this.#logger = logger
    hooks.registerDomain.tap({ name: 'event-bus', owner: 'host', stage: -10 }, ({ domain, events }) =>
      this.register(domain, events),
    )
    hooks.unregisterDomain.tap({ name: 'event-bus', owner: 'host', stage: 0 }, (domain) => this.unregister(domain))
  }

  get(name: string): EventEntry | undefined {
    return this.#events.get(name)
  }

  entries(): IterableIterator<EventEntry> {
    return this.#events.values()
  }

  register(domain: string, events: EventMap): void {
    const names: string[] = []
    for (const key of Object.keys(events)) {
      const definition = events[key]!
      const name = `${domain}.${key}`
      this.#events.set(name, { name, domain, definition, permission: definition.permission ?? name })
      names.push(name)
    }
    this.#byDomain.set(domain, names)
  }

  unregister(domain: string): void {
    for (const name of this.#byDomain.get(domain) ?? []) {
      this.#events.delete(name)
      this.#listeners.delete(name)
      const subscribers = this.#subscribers.get(name)
      this.#subscribers.delete(name)
      for (const subscriber of subscribers?.values() ?? []) {
        this.#safeDeliver(subscriber, SUBSCRIPTION_ENDED_EVENT, { event: name, reason: 'plugin-disabled' })
      }
    }
    this.#byDomain.delete(domain)
  }

  /** Checks and records a subscription. Throws the RpcError the caller should get. */
  subscribe(subscriber: Subscriber, name: string): void {
    this.#check(subscriber.caller, name)
    let subscribers = this.#subscribers.get(name)
    if (!subscribers) this.#subscribers.set(name, (subscribers = new Map()))
    subscribers.set(subscriber.id, subscriber)
  }

  unsubscribe(subscriber: Subscriber, name: string): boolean {
    const subscribers = this.#subscribers.get(name)
    const removed = subscribers?.delete(subscriber.id) ?? false
    if (subscribers?.size === 0) this.#subscribers.delete(name)
    return removed
  }

  /** Ends every subscription of a subscriber (it disconnected). Returns how many ended. */
  unsubscribeAll(subscriber: Subscriber): number {
    let count = 0
    for (const [name, subscribers] of this.#subscribers) {
      if (subscribers.delete(subscriber.id)) count++
      if (subscribers.size === 0) this.#subscribers.delete(name)
    }
    return count
  }

  subscriptionCount(name?: string): number {
    if (name !== undefined) return this.#subscribers.get(name)?.size ?? 0
    let count = 0
    for (const subscribers of this.#subscribers.values()) count += subscribers.size
    return count
  }

  subscriptionsOf(subscriberId: string): string[] {
    const names: string[] = []
    for (const [name, subscribers] of this.#subscribers) if (subscribers.has(subscriberId)) names.push(name)
    return names
  }

  /** An in-process listener (a plugin's `ctx.on`); permission-checked like a subscription. */
  listen(caller: Caller, name: string, listener: Listener): Disposable {
    this.#check(caller, name)
    let listeners = this.#listeners.get(name)
    if (!listeners) this.#listeners.set(name, (listeners = new Set()))
    const own = (payload: unknown) => listener(payload)
    listeners.add(own)
    return toDisposable(() => {
      const current = this.#listeners.get(name)
      current?.delete(own)
      if (current?.size === 0) this.#listeners.delete(name)
    })
  }

  listenerCount(name?: string): number {
    if (name !== undefined) return this.#listeners.get(name)?.size ?? 0
    let count = 0
    for (const listeners of this.#listeners.values()) count += listeners.size
    return count
  }

  /**
   * Validates the payload against the event's schema and delivers it. An invalid payload is the
   * emitting plugin's bug: it throws an RpcError (INVALID_PARAMS) at the emitter, and nothing is sent.
   */
  emit(name: string, payload: unknown): number {
    const entry = this.#events.get(name)
    if (!entry) throw new RpcError('METHOD_NOT_FOUND', `Unknown event: ${name}`)
    const parsed = z.safeParse(entry.definition.payload, payload)
    if (!parsed.success) throw invalidParams(parsed.error.issues, `payload for event ${name}`)
    let delivered = 0
    const subscribers = this.#subscribers.get(name)
    if (subscribers) {
      for (const subscriber of subscribers.values()) if (this.#safeDeliver(subscriber, name, parsed.data)) delivered++
    }
    const listeners = this.#listeners.get(name)
    if (listeners) {
      for (const listener of [...listeners]) {
        try {
          listener(parsed.data)
          delivered++
        } catch (error) {
          this.#logger.error({ err: describeError(error), event: name }, 'An event listener failed')
        }
      }
    }
    return delivered
  }

  #check(caller: Caller, name: string): EventEntry {
    const entry = this.#events.get(name)
    if (!entry || (caller.kind === 'renderer' && entry.definition.expose !== true)) {
      throw new RpcError('METHOD_NOT_FOUND', `Unknown event: ${name}`)
    }
    if (!isGranted(caller.grants, entry.permission)) {
      throw new RpcError('FORBIDDEN', `Caller may not subscribe to ${name} (needs "${entry.permission}")`, {
        permission: entry.permission,
      })
    }
    return entry
  }

  #safeDeliver(subscriber: Subscriber, name: string, payload: unknown): boolean {
    try {
      subscriber.deliver(name, payload)
      return true
    } catch (error) {
      this.#logger.warn({ err: describeError(error), event: name, subscriber: subscriber.id }, 'Event delivery failed')
      return false
    }
  }
}
