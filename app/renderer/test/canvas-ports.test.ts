import { describe, expect, it } from 'vitest'
import { useWorkflowsStore } from '../src/stores/workflows'
import { nodeInputPorts, nodeOutputPorts } from '../src/views/workflows/canvas/graph'
import { rendererOnHost } from './host'

/** The engine's control types as the host describes them (`workflow.controlTypes`). */
async function controlType(id: string) {
  await rendererOnHost()
  const workflows = useWorkflowsStore()
  await workflows.start()
  const type = workflows.controlTypes.find((candidate) => candidate.id === id)
  if (!type) throw new Error(`no control type ${id}`)
  return type
}

describe('the canvas ports of the control types', () => {
  it("gives a switch one output per case, then default, following the node's cases", async () => {
    const type = await controlType('flow.switch')
    expect(nodeOutputPorts(type, { inputs: { value: 1, cases: ['small', 'large'] } }).map((port) => port.name)).toEqual(['small', 'large', 'default'])
    expect(nodeOutputPorts(type, { inputs: { cases: ['x', 'x', '', 7, 'default'] } }).map((port) => port.name)).toEqual(['x', 'default'])
    expect(nodeOutputPorts(type, { inputs: {} }).map((port) => port.name)).toEqual(['default'])
  })

  it('gives a merge the inputs already fed plus one free port to connect the next', async () => {
    const type = await controlType('flow.merge')
    expect(nodeInputPorts(type, []).map((port) => port.name)).toEqual(['in1'])
    expect(nodeInputPorts(type, ['in1', 'left']).map((port) => port.name)).toEqual(['in1', 'left', 'in2'])
  })

  it('adds nothing to a type whose ports are closed', async () => {
    const type = await controlType('flow.if')
    expect(nodeInputPorts(type, ['condition']).map((port) => port.name)).toEqual(['condition', 'value'])
    expect(nodeOutputPorts(type, { inputs: { cases: ['a'] } }).map((port) => port.name)).toEqual(['true', 'false'])
  })
})
