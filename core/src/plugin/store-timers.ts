/**
 * A plugin's `ctx.setTimeout` and `ctx.setInterval`: timers kept in its disposable store, so disabling the
 * plugin clears them. The same in process (runtime.ts) and in a plugin's own process (plugin-process.ts).
 */
import { toDisposable, type Disposable, type DisposableStore } from '../host/disposable'

export interface StoreTimers {
  setTimeout(fn: () => void, ms: number): Disposable
  setInterval(fn: () => void, ms: number): Disposable
}

export function storeTimers(store: DisposableStore): StoreTimers {
  return {
    setTimeout: (fn, ms) => {
      const timer = setTimeout(() => {
        store.delete(disposable)
        fn()
      }, ms)
      const disposable: Disposable = store.add(toDisposable(() => clearTimeout(timer)), 'timeout')
      return disposable
    },
    setInterval: (fn, ms) => {
      const timer = setInterval(fn, ms)
      return store.add(toDisposable(() => clearInterval(timer)), 'interval')
    },
  }
}
