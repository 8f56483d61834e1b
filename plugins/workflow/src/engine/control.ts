/**
 * The engine's own node types: control flow. They are not node-plugin types (they steer the run rather
 * than compute a value), so the engine executes them itself; the validator knows their ports from the
 * JSON Schemas below, the same way it knows the node plugin's, and `workflow.controlTypes` lists them for
 * the editor's palette.
 *
 * Two flags change how the engine treats a node (see run.ts):
 * - `branching`: an output it does not produce is a branch not taken: the edges from it are *dead* (the
 *   nodes they feed are `skipped`), instead of failing the node downstream (`missing-upstream-output`).
 * - `merge`: the node runs once every edge into it settled and at least one is live (another node runs
 *   only when all are live), with the live inputs only.
 *
 * - `flow.if` { condition, value? } -> `true` or `false`, carrying `value`. The condition is JavaScript
 *   truthiness.
 * - `flow.switch` { value, cases: string[] } -> the output named by the first case equal to `String(value)`,
 *   else `default`, carrying `value`. Its outputs are the node's own `cases` plus `default`.
 * - `flow.merge` { any inputs } -> `value` (the first live input, in edge order) and `values` (every live
 *   input by name).
 * - `flow.input` { value? } -> `value`: a workflow's input. A run's overlay sets it
 *   (`inputs: { [nodeId]: { value } }`); as a sub-workflow, the calling node's `input` does.
 * - `flow.output` { value } -> `value`: a workflow's result, as a sub-workflow (at most one per workflow).
 * - `flow.subworkflow` { workflowId, input? } -> `output`: runs another saved workflow with `input` as its
 *   `flow.input` nodes' value, answers its `flow.output` node's value.
 * - `flow.loop` { items: array, workflowId, concurrency? = 1 } -> `results`: runs the workflow once per item
 *   (input `{ item, index }`), at most `concurrency` at once; `results` in item order.
 */
import { z } from 'zod'
import type { JsonSchemaObject, NodeTypeSpec } from './validate'

export const ERROR_OUTPUT = '$error'

/** The most items of one loop run at once. */
export const MAX_LOOP_CONCURRENCY = 64

export interface ControlType {
  readonly id: string
  readonly title: string
  readonly description: string
  readonly input: z.ZodType
  readonly output: z.ZodType
  readonly branching?: boolean
  readonly merge?: boolean
}

const anyValue = z.unknown()

export const CONTROL_TYPES: readonly ControlType[] = [
  {
    id: 'flow.if',
    title: 'If',
    description: 'Takes the `true` or the `false` branch by the truthiness of `condition`, carrying `value`',
    input: z.object({ condition: anyValue.describe('Truthy or falsy'), value: anyValue.optional().describe('Carried to the branch taken') }),
    output: z.object({ true: anyValue.optional(), false: anyValue.optional() }),
    branching: true,
  },
  {
    id: 'flow.switch',
    title: 'Switch',
    description: 'Takes the branch named by the first case equal to the value (as text), else `default`',
    input: z.object({ value: anyValue, cases: z.array(z.string().min(1)).min(1).max(64).describe('The output names, in order') }),
    output: z.object({ default: anyValue.optional() }).catchall(anyValue),
    branching: true,
  },
  {
    id: 'flow.merge',
    title: 'Merge',
    description: 'Joins branches: runs when at least one input is live; `value` is the first live input, `values` all of them',
    input: z.object({}).catchall(anyValue),
    output: z.object({ value: anyValue, values: z.record(z.string(), anyValue) }),
    merge: true,
  },
  {
    id: 'flow.input',
    title: 'Workflow input',
    description: "The workflow's input: the run's inputs for this node, or the calling node's input in a sub-workflow",
    input: z.object({ value: anyValue.optional() }),
    output: z.object({ value: anyValue }),
  },
  {
    id: 'flow.output',
    title: 'Workflow output',
    description: "The workflow's result when it runs as a sub-workflow or a loop body",
    input: z.object({ value: anyValue }),
    output: z.object({ value: anyValue }),
  },
  {
    id: 'flow.subworkflow',
    title: 'Sub-workflow',
    description: 'Runs another saved workflow and answers its output',
    input: z.object({ workflowId: z.string().min(1), input: anyValue.optional() }),
    output: z.object({ output: anyValue }),
  },
  {
    id: 'flow.loop',
    title: 'Loop',
    description: 'Runs a saved workflow once per item ({ item, index } as its input), a few at once; `results` in item order',
    input: z.object({
      items: z.array(anyValue),
      workflowId: z.string().min(1),
      concurrency: z.number().int().min(1).max(MAX_LOOP_CONCURRENCY).optional(),
    }),
    output: z.object({ results: z.array(anyValue) }),
  },
]

const byId = new Map(CONTROL_TYPES.map((type) => [type.id, type]))

export function controlType(typeId: string): ControlType | undefined {
  return byId.get(typeId)
}

export function isBranching(typeId: string): boolean {
  return byId.get(typeId)?.branching === true
}

export function isMerge(typeId: string): boolean {
  return byId.get(typeId)?.merge === true
}

/** The node types whose static `workflowId` names another workflow. */
export const WORKFLOW_REFERENCING_TYPES: ReadonlySet<string> = new Set(['flow.subworkflow', 'flow.loop'])

/** The control types as the validator reads node types: their JSON Schemas. */
export function controlSpecs(): Map<string, NodeTypeSpec> {
  return new Map(
    CONTROL_TYPES.map((type) => [
      type.id,
      {
        inputSchema: z.toJSONSchema(type.input, { io: 'input' }) as JsonSchemaObject,
        outputSchema: z.toJSONSchema(type.output, { io: 'output' }) as JsonSchemaObject,
      },
    ]),
  )
}

/** Outputs of the pure control types (if, switch, merge, input, output); undefined for the others. */
export function evaluateControl(typeId: string, inputs: Readonly<Record<string, unknown>>): Record<string, unknown> | undefined {
  switch (typeId) {
    case 'flow.if':
      return inputs['condition'] ? { true: inputs['value'] } : { false: inputs['value'] }
    case 'flow.switch': {
      const cases = Array.isArray(inputs['cases']) ? inputs['cases'] : []
      const text = String(inputs['value'])
      const match = cases.find((name) => name === text)
      // A case is the person's text (it may be `__proto__`): an own property either way.
      return withOwn({}, typeof match === 'string' ? match : 'default', inputs['value'])
    }
    case 'flow.merge': {
      const names = Object.keys(inputs)
      const values: Record<string, unknown> = {}
      for (const name of names) withOwn(values, name, inputs[name])
      return { value: names.length > 0 ? inputs[names[0]!] : undefined, values }
    }
    case 'flow.input':
    case 'flow.output':
      return { value: inputs['value'] }
    default:
      return undefined
  }
}

function withOwn(target: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  return target
}

/** The control types for `workflow.controlTypes`. */
export function describeControlTypes() {
  const specs = controlSpecs()
  return CONTROL_TYPES.map((type) => ({
    id: type.id,
    title: type.title,
    description: type.description,
    category: 'flow' as const,
    inputSchema: specs.get(type.id)!.inputSchema as Record<string, unknown>,
    outputSchema: specs.get(type.id)!.outputSchema as Record<string, unknown>,
    branching: type.branching === true,
    merge: type.merge === true,
  }))
}
