/**
 * Time limits for many concurrent calls on one timer.
 *
 * A `setTimeout` + `clearTimeout` per call costs more than the rest of a small dispatch. Calls share one
 * timer armed for the earliest deadline; adding a later deadline (the common case: everyone shares the
 * default) is a Set insert, finishing a call is a Set delete. When the timer fires it expires what is due
 * and re-arms for the next earliest.
 *
 * The timer is not cleared when the last call finishes: sequential calls (each alone in flight) would
 * otherwise arm and clear a timer per call, which cost more than the whole rest of the deadline work
 * (measured: sequential in-process calls to an async handler, ~0.80 µs each with a timer per call,
 * ~0.55 µs without; see docs/benchmarks.md). It stays
 * armed for the earliest deadline it was set for, unref'd, and when it fires with nothing due it re-arms
 * only if something is pending. A shorter deadline still re-arms it at once.
 */
export interface Expirable {
  readonly deadline: number
  expire(): void
}

export class Deadlines {
  readonly #pending = new Set<Expirable>()
  #timer: ReturnType<typeof setTimeout> | undefined
  #armedFor = Infinity
  readonly #now: () => number

  constructor(now: () => number = Date.now) {
    this.#now = now
  }

  get size(): number {
    return this.#pending.size
  }

  add(item: Expirable): void {
    this.#pending.add(item)
    if (item.deadline < this.#armedFor) this.#arm(item.deadline)
  }

  delete(item: Expirable): void {
    this.#pending.delete(item)
  }

  #arm(deadline: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#armedFor = deadline
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, deadline - this.#now()))
    // A pending deadline must not keep a process alive on its own.
    this.#timer.unref?.()
  }

  #fire(): void {
    this.#timer = undefined
    this.#armedFor = Infinity
    const now = this.#now()
    let next = Infinity
    const due: Expirable[] = []
    for (const item of this.#pending) {
      if (item.deadline <= now) due.push(item)
      else if (item.deadline < next) next = item.deadline
    }
    for (const item of due) {
      this.#pending.delete(item)
      item.expire()
    }
    if (next !== Infinity) this.#arm(next)
  }
}
