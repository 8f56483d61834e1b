/**
 * Undo and redo over snapshots of the document (its JSON). A burst of edits (typing in a field, a drag)
 * becomes one step: `record` is called after each change and a step is only taken once the document has
 * been still for `settleMs`; `undo`/`redo` take any pending step first, so nothing typed is skipped.
 * Discrete edits (add, connect, delete, paste, layout, a drag's end) are wrapped in `settle()` calls so
 * each is one step, never merged with typing just before or after it.
 */
export interface History {
  /** Note that the document changed (cheap: the snapshot is taken when the burst settles). */
  changed(): void
  /** Takes any pending burst as a step now (around a discrete edit, so it is a step of its own). */
  settle(): void
  undo(): string | undefined
  redo(): string | undefined
  readonly canUndo: boolean
  readonly canRedo: boolean
  /** Starts over from `snapshot` (a workflow opened or reloaded). */
  reset(snapshot: string): void
  dispose(): void
}

export function createHistory(snapshot: () => string, options: { settleMs?: number; limit?: number; onChange?: () => void } = {}): History {
  const settleMs = options.settleMs ?? 400
  const limit = options.limit ?? 200
  let steps: string[] = [snapshot()]
  let at = 0
  let timer: ReturnType<typeof setTimeout> | undefined

  function take(): void {
    clearTimeout(timer)
    timer = undefined
    const now = snapshot()
    if (now === steps[at]) return
    steps = steps.slice(0, at + 1)
    steps.push(now)
    if (steps.length > limit) steps.shift()
    at = steps.length - 1
    options.onChange?.()
  }

  return {
    changed() {
      clearTimeout(timer)
      timer = setTimeout(take, settleMs)
    },
    settle: take,
    undo() {
      take()
      if (at === 0) return undefined
      at -= 1
      options.onChange?.()
      return steps[at]
    },
    redo() {
      take()
      if (at >= steps.length - 1) return undefined
      at += 1
      options.onChange?.()
      return steps[at]
    },
    get canUndo() {
      return at > 0 || timer !== undefined
    },
    get canRedo() {
      return at < steps.length - 1
    },
    reset(next) {
      clearTimeout(timer)
      timer = undefined
      steps = [next]
      at = 0
      options.onChange?.()
    },
    dispose() {
      clearTimeout(timer)
    },
  }
}
