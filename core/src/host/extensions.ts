/**
 * Extension points: one plugin reads them (e.g. `node.types`), others contribute to them.
 *
 * Each contribution is a tap on the point's waterfall hook, owned by its contributor, so it leaves with
 * the contributor when that plugin is disabled, exactly like any other tap. Readers are told of changes.
 */
import { SyncWaterfallHook } from 'tapable'
import type { Contribution } from '../plugin/definition'
import { toDisposable, type Disposable } from './disposable'
import { ManagedHook } from './managed-hook'

type PointHook = SyncWaterfallHook<[Contribution<unknown>[]]>

export class ExtensionRegistry {
  readonly #points = new Map<string, ManagedHook<PointHook>>()
  readonly #listeners = new Map<string, Set<() => void>>()

  contribute<T>(point: string, owner: string, value: T): Disposable {
    const hook = this.#point(point)
    const contribution: Contribution<unknown> = Object.freeze({ owner, value })
    const tap = hook.tap({ name: `contribution`, owner }, (list: Contribution<unknown>[]) => {
      list.push(contribution)
      return list
    })
    this.#changed(point)
    return toDisposable(() => {
      void tap.dispose()
      this.#changed(point)
    })
  }

  values<T>(point: string): readonly Contribution<T>[] {
    const hook = this.#points.get(point)
    if (!hook || !hook.isUsed()) return []
    return hook.hook.call([]) as Contribution<T>[]
  }

  onChange(point: string, listener: () => void): Disposable {
    let listeners = this.#listeners.get(point)
    if (!listeners) this.#listeners.set(point, (listeners = new Set()))
    const own = () => listener()
    listeners.add(own)
    return toDisposable(() => {
      this.#listeners.get(point)?.delete(own)
    })
  }

  /** How many contributions exist, for every point (tests check that a disabled plugin leaves none). */
  contributionCount(owner?: string): number {
    let count = 0
    for (const hook of this.#points.values()) {
      count += owner === undefined ? hook.taps().length : hook.taps().filter((tap) => tap.owner === owner).length
    }
    return count
  }

  #point(point: string): ManagedHook<PointHook> {
    let hook = this.#points.get(point)
    if (!hook) this.#points.set(point, (hook = new ManagedHook(() => new SyncWaterfallHook<[Contribution<unknown>[]]>(['list']))))
    return hook
  }

  #changed(point: string): void {
    for (const listener of [...(this.#listeners.get(point) ?? [])]) {
      try {
        listener()
      } catch {
        // A reader's change listener failing must not undo the contribution.
      }
    }
  }
}
