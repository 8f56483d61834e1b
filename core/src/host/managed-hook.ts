/**
 * A tapable hook whose taps can be removed.
 *
 * tapable has no way to remove a tap, yet plugins are turned off at runtime. A ManagedHook keeps the list
 * of taps with their owner and rebuilds the underlying tapable hook (lazily, on the next call) whenever a
 * tap is removed, so a disabled plugin leaves nothing behind: no guard flags, no dead closures still
 * compiled into the hook. Adding a tap goes straight onto the live hook (tapable recompiles on the next
 * call anyway). Ordering uses numeric `stage` (tapable's `before` is not transitive).
 */
import { toDisposable, type Disposable } from './disposable'

/** The part of a tapable hook this wrapper drives (tapable does not export its base `Hook` class). */
interface AnyHook {
  tap(options: { name: string; stage?: number }, fn: (...args: any[]) => any): void
  isUsed(): boolean
}
type TapFn<H extends AnyHook> = Parameters<H['tap']>[1]
type TapPromiseFn<H> = H extends { tapPromise(options: any, fn: infer F): void } ? F : never

export interface TapInfo {
  readonly name: string
  readonly owner: string
  readonly stage: number
}

interface TapRecord extends TapInfo {
  readonly type: 'sync' | 'promise'
  readonly fn: (...args: any[]) => any
}

export interface TapOptionsWithOwner {
  readonly name: string
  readonly owner: string
  readonly stage?: number
}

export class ManagedHook<H extends AnyHook> {
  readonly #create: () => H
  #records: TapRecord[] = []
  #current: H | undefined

  constructor(create: () => H) {
    this.#create = create
  }

  /** The live tapable hook: call it (`.call`, `.promise`) but tap through this wrapper. */
  get hook(): H {
    return (this.#current ??= this.#build())
  }

  isUsed(): boolean {
    return this.#records.length > 0
  }

  taps(): readonly TapInfo[] {
    return this.#records.map(({ name, owner, stage }) => ({ name, owner, stage }))
  }

  tap(options: TapOptionsWithOwner, fn: TapFn<H>): Disposable {
    return this.#add({ ...options, stage: options.stage ?? 0, type: 'sync', fn: fn as TapRecord['fn'] })
  }

  tapPromise(options: TapOptionsWithOwner, fn: TapPromiseFn<H>): Disposable {
    return this.#add({ ...options, stage: options.stage ?? 0, type: 'promise', fn: fn as TapRecord['fn'] })
  }

  /** Removes every tap of an owner (a safety net; a plugin's store normally removes them one by one). */
  removeOwner(owner: string): number {
    const before = this.#records.length
    this.#records = this.#records.filter((record) => record.owner !== owner)
    const removed = before - this.#records.length
    if (removed > 0) this.#current = undefined
    return removed
  }

  #add(record: TapRecord): Disposable {
    this.#records.push(record)
    if (this.#current) this.#apply(this.#current, record)
    return toDisposable(() => {
      const index = this.#records.indexOf(record)
      if (index < 0) return
      this.#records.splice(index, 1)
      this.#current = undefined
    })
  }

  #build(): H {
    const hook = this.#create()
    for (const record of this.#records) this.#apply(hook, record)
    return hook
  }

  #apply(hook: H, record: TapRecord): void {
    const options = { name: `${record.owner}:${record.name}`, stage: record.stage }
    if (record.type === 'sync') hook.tap(options, record.fn)
    else (hook as unknown as { tapPromise(o: typeof options, fn: TapRecord['fn']): void }).tapPromise(options, record.fn)
  }
}
