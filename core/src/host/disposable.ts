/**
 * Disposables, the way VS Code and Theia make "turn a plugin off at runtime" trustworthy: everything a
 * plugin registers returns a disposable that goes into the plugin's store, and disposing the store undoes
 * all of it, last in first out, each failure caught, the whole time-boxed.
 */
export interface Disposable {
  dispose(): void | Promise<void>
}

export type DisposeFn = () => void | Promise<void>

export function toDisposable(fn: DisposeFn): Disposable {
  let done = false
  return {
    dispose() {
      if (done) return
      done = true
      return fn()
    },
  }
}

export interface DisposeFailure {
  readonly label: string
  readonly error: unknown
}

export interface DisposeReport {
  readonly disposed: number
  readonly failures: readonly DisposeFailure[]
  /** Labels of disposables still pending when the time box ran out (left to finish on their own). */
  readonly timedOut: readonly string[]
}

interface Entry {
  readonly label: string
  readonly disposable: Disposable
}

export class DisposableStore {
  #entries: Entry[] = []
  #disposed = false

  get size(): number {
    return this.#entries.length
  }

  get isDisposed(): boolean {
    return this.#disposed
  }

  /** Adds a disposable (or a dispose function). Adding to a disposed store disposes it at once. */
  add<T extends Disposable>(disposable: T, label?: string): T
  add(fn: DisposeFn, label?: string): Disposable
  add(item: Disposable | DisposeFn, label = 'anonymous'): Disposable {
    const disposable = typeof item === 'function' ? toDisposable(item) : item
    if (this.#disposed) {
      void Promise.resolve()
        .then(() => disposable.dispose())
        .catch(() => undefined)
      return disposable
    }
    this.#entries.push({ label, disposable })
    return disposable
  }

  /** Removes a disposable without disposing it (it was disposed by its owner early). */
  delete(disposable: Disposable): void {
    const index = this.#entries.findIndex((entry) => entry.disposable === disposable)
    if (index >= 0) this.#entries.splice(index, 1)
  }

  /**
   * Disposes everything, last in first out. A failure is caught and reported, and the next one runs.
   * An async disposer gets what is left of `timeoutMs`; past it, the store stops waiting and reports it.
   */
  async dispose(timeoutMs = 5_000): Promise<DisposeReport> {
    this.#disposed = true
    const entries = this.#entries.reverse()
    this.#entries = []
    const failures: DisposeFailure[] = []
    const timedOut: string[] = []
    const deadline = Date.now() + timeoutMs
    let disposed = 0
    for (let i = 0; i < entries.length; i++) {
      const { label, disposable } = entries[i]!
      try {
        const result = disposable.dispose()
        if (result && typeof (result as Promise<void>).then === 'function') {
          const left = deadline - Date.now()
          const outcome = await raceDeadline(result as Promise<void>, left)
          if (outcome === 'timeout') {
            timedOut.push(label, ...entries.slice(i + 1).map((e) => e.label))
            // Past the time box: the rest are disposed synchronously where they can be, not awaited.
            for (const rest of entries.slice(i + 1)) {
              try {
                const r = rest.disposable.dispose()
                if (r && typeof (r as Promise<void>).then === 'function') (r as Promise<void>).catch(() => undefined)
              } catch (error) {
                failures.push({ label: rest.label, error })
              }
            }
            return { disposed, failures, timedOut }
          }
        }
        disposed++
      } catch (error) {
        failures.push({ label, error })
      }
    }
    return { disposed, failures, timedOut }
  }
}

async function raceDeadline(promise: Promise<void>, ms: number): Promise<'done' | 'timeout'> {
  if (ms <= 0) {
    promise.catch(() => undefined)
    return 'timeout'
  }
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    return await Promise.race([
      promise.then(() => 'done' as const),
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), ms)
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}
