/**
 * Executes one node of a run: the engine's control types here (control.ts: if, switch, merge, input,
 * output, sub-workflow, loop), every other type through the node plugin's `node.execute`.
 *
 * A sub-workflow or a loop body is another saved workflow, loaded from storage and checked against the
 * current catalog when the node runs, then run with `runGraph` under the node's signal (cancelling the
 * node cancels every child node). The chain of workflows being run (`stack`) refuses a cycle
 * (SUBWORKFLOW_CYCLE: a reference fed by an edge escapes the check made when saving) and a chain deeper
 * than `MAX_SUBWORKFLOW_DEPTH` (SUBWORKFLOW_TOO_DEEP).
 *
 * A sub-workflow's run is a run of its own when the context offers `runChild` (the run manager does: in the
 * history, linked to its parent run and node). A loop's items are not: each is run here, directly, and the
 * loop node records their results (a loop of 10,000 items would otherwise push every other run out of the
 * history, and pay a history write per item).
 */
import type { NodeError } from './api'
import { controlType, evaluateControl, MAX_LOOP_CONCURRENCY } from './engine/control'
import type { EvaluateExpression } from './engine/expressions'
import { errorInfo, runGraph, type NodeOutputs } from './engine/run'
import type { WorkflowDefinition, WorkflowNode } from './engine/schema'
import type { RunResult } from './engine/run'
import { validateWorkflow } from './engine/validate'
import { executeNode, fetchCatalog, NodeFailure, withSignal, type CallFn, type ExecutionLogLine } from './node-client'
import { WorkflowRepository } from './storage'

export const MAX_SUBWORKFLOW_DEPTH = 16

const UNCHECKED: ReadonlySet<string> = new Set(['flow.input', 'flow.output', 'flow.merge'])

/** A saved workflow loaded and checked to run inside another. */
export interface ChildWorkflow {
  readonly workflowId: string
  readonly workflowVersion: number
  readonly def: WorkflowDefinition
  /** The workflow ids being run, outermost first, this one last. */
  readonly stack: readonly string[]
  /** Its `flow.input` nodes (the child's input is their `value`) and its `flow.output` node. */
  readonly inputNodeIds: readonly string[]
  readonly outputNodeId: string | undefined
}

/** What a running node may report besides its result. */
export interface NodeRunContext {
  /** The workflow ids being run, outermost first (the top-level run's workflow is the first). */
  readonly stack: readonly string[]
  log(lines: readonly ExecutionLogLine[]): void
  progress(fraction: number, message: string): void
  /**
   * Runs a sub-workflow as a run of its own (recorded, linked to this node), with `initialInputs` on top
   * of its nodes' static inputs, executing its nodes with this runner. Without it the child runs unrecorded.
   */
  runChild?(child: ChildWorkflow, initialInputs: ReadonlyMap<string, Readonly<Record<string, unknown>>>, signal: AbortSignal): Promise<RunResult>
}

export interface NodeRunnerOptions {
  readonly call: CallFn
  readonly concurrency: number
  readonly now: () => number
  /** Evaluates expressions (the sandbox), for the child runs. */
  readonly evaluate: EvaluateExpression
}

const ignore = (): void => undefined

function fail(error: NodeError): never {
  throw new NodeFailure(error)
}

export class NodeRunner {
  readonly #options: NodeRunnerOptions

  constructor(options: NodeRunnerOptions) {
    this.#options = options
  }

  async execute(node: WorkflowNode, inputs: Record<string, unknown>, signal: AbortSignal, context: NodeRunContext): Promise<NodeOutputs> {
    const control = controlType(node.type)
    if (control === undefined) return executeNode(this.#options.call, node.type, inputs, signal, (lines) => context.log(lines))
    // Input, output and merge take anything: nothing to check.
    const parsed = UNCHECKED.has(node.type) ? { success: true as const } : control.input.safeParse(inputs)
    if (!parsed.success) {
      fail({
        code: 'INVALID_PARAMS',
        message: `Invalid inputs for node type "${node.type}": ${parsed.error.issues[0]?.message ?? 'invalid'}`,
        issues: parsed.error.issues.map((issue) => ({ path: ['inputs', ...issue.path.map((key) => (typeof key === 'number' ? key : String(key)))], message: issue.message })),
      })
    }
    const pure = evaluateControl(node.type, inputs)
    if (pure !== undefined) return pure
    const child = await this.#prepare(String(inputs['workflowId']), context.stack, signal)
    if (node.type === 'flow.subworkflow') {
      return { output: await this.#runChild(child, inputs['input'], signal, context.runChild) }
    }
    const items = inputs['items'] as unknown[]
    const concurrency = Math.min(typeof inputs['concurrency'] === 'number' ? inputs['concurrency'] : 1, MAX_LOOP_CONCURRENCY)
    return { results: await this.#loop(child, items, concurrency, signal, context) }
  }

  /** Loads and checks the workflow to run inside `stack`. */
  async #prepare(workflowId: string, stack: readonly string[], signal: AbortSignal): Promise<ChildWorkflow> {
    if (stack.includes(workflowId)) {
      fail({ code: 'SUBWORKFLOW_CYCLE', message: `Sub-workflow cycle: ${[...stack, workflowId].join(' -> ')}` })
    }
    if (stack.length >= MAX_SUBWORKFLOW_DEPTH) {
      fail({ code: 'SUBWORKFLOW_TOO_DEEP', message: `Sub-workflows nest at most ${MAX_SUBWORKFLOW_DEPTH} deep` })
    }
    const call = withSignal(this.#options.call, signal)
    const workflow = await new WorkflowRepository(call).get(workflowId)
    if (workflow === undefined) fail({ code: 'NOT_FOUND', message: `No saved workflow "${workflowId}" to run as a sub-workflow` })
    const problems = validateWorkflow(workflow, await fetchCatalog(call))
    if (problems.length > 0) {
      fail({ code: 'INVALID_WORKFLOW', message: `Sub-workflow "${workflowId}" no longer validates: ${problems[0]!.message}` })
    }
    return {
      workflowId,
      workflowVersion: workflow.version,
      def: workflow,
      stack: [...stack, workflowId],
      inputNodeIds: workflow.nodes.filter((node) => node.type === 'flow.input').map((node) => node.id),
      outputNodeId: workflow.nodes.find((node) => node.type === 'flow.output')?.id,
    }
  }

  /** One run of the child with `input` as its `flow.input` nodes' value; its `flow.output` node's value. */
  async #runChild(child: ChildWorkflow, input: unknown, signal: AbortSignal, recorded: NodeRunContext['runChild']): Promise<unknown> {
    const given = { value: input }
    const initialInputs = new Map(child.inputNodeIds.map((id) => [id, given]))
    // The same definition object every time (the engine plans it once); the input rides beside it.
    const result =
      recorded === undefined
        ? await runGraph({
            def: child.def,
            initialInputs,
            concurrency: this.#options.concurrency,
            signal,
            now: this.#options.now,
            evaluate: this.#options.evaluate,
            executeNode: (node, inputs, nodeSignal) => this.execute(node, inputs, nodeSignal, { stack: child.stack, log: ignore, progress: ignore }),
          })
        : await recorded(child, initialInputs, signal)
    if (result.status === 'succeeded') return child.outputNodeId === undefined ? undefined : result.nodes[child.outputNodeId]?.outputs?.['value']
    if (result.status === 'cancelled') {
      if (signal.aborted) throw signal.reason
      // The child's own run was cancelled (`workflow.cancel` of its id), not this node.
      fail({ code: 'CANCELLED', message: `Sub-workflow "${child.workflowId}" was cancelled` })
    }
    const error = result.error!
    fail({ code: error.code ?? 'NODE_FAILED', message: `Sub-workflow "${child.workflowId}" failed at node "${error.nodeId}": ${error.message}` })
  }

  /** Runs the child once per item, at most `concurrency` at once; the first failure stops the others. */
  async #loop(child: ChildWorkflow, items: readonly unknown[], concurrency: number, signal: AbortSignal, context: NodeRunContext): Promise<unknown[]> {
    const results: unknown[] = new Array<unknown>(items.length)
    const stop = new AbortController()
    const forward = (): void => stop.abort(signal.reason)
    signal.addEventListener('abort', forward, { once: true })
    let next = 0
    let done = 0
    let reported = -1
    let firstFailure: NodeFailure | undefined
    const worker = async (): Promise<void> => {
      while (!stop.signal.aborted && next < items.length) {
        const index = next++
        try {
          results[index] = await this.#runChild(child, { item: items[index], index }, stop.signal, undefined)
        } catch (error) {
          if (stop.signal.aborted) return
          const info = errorInfo(error)
          firstFailure = new NodeFailure({ code: info.code ?? 'NODE_FAILED', message: `Item ${index}: ${info.message}` })
          stop.abort(firstFailure)
          return
        }
        done++
        const percent = Math.floor((done * 100) / items.length)
        if (percent !== reported) {
          reported = percent
          context.progress(done / items.length, `${done} of ${items.length} items`)
        }
      }
    }
    try {
      await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
      if (firstFailure !== undefined) throw firstFailure
      if (signal.aborted) throw signal.reason
      return results
    } finally {
      signal.removeEventListener('abort', forward)
    }
  }
}
