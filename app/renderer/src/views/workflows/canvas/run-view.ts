/**
 * What the canvas shows of a run (the live one, or a past one picked in the history), handed to each node
 * and edge component through provide/inject instead of through Vue Flow's node data: a progress event then
 * re-renders the one node (and the edges out of it) whose state changed, not the 500-node array Vue Flow
 * diffs. Each reader reads only its own node's key of the run's reactive records, which Vue tracks per key.
 */
import type { InjectionKey } from 'vue'

export interface RunView {
  /** The node's run state (pending, running, succeeded...), or undefined outside a run. */
  state(nodeId: string): string | undefined
  /** A running node's reported progress, 0..1, or undefined when it reports none. */
  progress(nodeId: string): number | undefined
}

export const RUN_VIEW: InjectionKey<RunView> = Symbol('canvas-run-view')

export const NO_RUN: RunView = { state: () => undefined, progress: () => undefined }
