import { describe, expect, it } from 'vitest'
import { deferred, type Deferred } from '@atomiton/plugin-sdk/testing'
import { NodeAbortedError, runGraph, type ExecuteNode, type NodeOutputs, type ProgressEvent } from './run'
import { WorkflowPlanError } from './plan'
import type { WorkflowDefinition, WorkflowEdge, WorkflowNode } from './schema'

// ---------------------------------------------------------------------------------------------
// Helpers: explicit deferreds only (no timers, no sleeps).



interface Call {
  readonly node: WorkflowNode
  readonly inputs: Record<string, unknown>
  readonly signal: AbortSignal
  readonly result: Deferred<NodeOutputs>
}

/**
 * An executor whose every node call waits until the test settles it by hand. It records the calls,
 * lets the test await a node's start, and tracks how many calls are unsettled at once.
 */
class ManualExecutor {
  readonly calls = new Map<string, Call>()
  readonly startOrder: string[] = []
  active = 0
  maxActive = 0
  private readonly startWaiters = new Map<string, Deferred<Call>>()

  readonly execute: ExecuteNode = (node, inputs, signal) => {
    const call: Call = { node, inputs, signal, result: deferred<NodeOutputs>() }
    this.calls.set(node.id, call)
    this.startOrder.push(node.id)
    this.active++
    this.maxActive = Math.max(this.maxActive, this.active)
    this.waiter(node.id).resolve(call)
    const settled = (): void => {
      this.active--
    }
    call.result.promise.then(settled, settled)
    return call.result.promise
  }

  /** Resolves when `nodeId` has been started. */
  started(nodeId: string): Promise<Call> {
    return this.waiter(nodeId).promise
  }

  call(nodeId: string): Call {
    const call = this.calls.get(nodeId)
    if (call === undefined) throw new Error(`node ${nodeId} was not started`)
    return call
  }

  private waiter(nodeId: string): Deferred<Call> {
    let waiter = this.startWaiters.get(nodeId)
    if (waiter === undefined) this.startWaiters.set(nodeId, (waiter = deferred<Call>()))
    return waiter
  }
}

/** Records progress events and lets the test await one. */
class ProgressLog {
  readonly events: ProgressEvent[] = []
  private readonly waiters: { match: (e: ProgressEvent) => boolean; done: Deferred<ProgressEvent> }[] = []

  readonly listener = (event: ProgressEvent): void => {
    this.events.push(event)
    for (const waiter of [...this.waiters]) {
      if (waiter.match(event)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1)
        waiter.done.resolve(event)
      }
    }
  }

  /** Resolves when `nodeId` reaches `state` (at once if it already has). */
  reached(nodeId: string, state: ProgressEvent['state']): Promise<ProgressEvent> {
    const match = (e: ProgressEvent): boolean => e.nodeId === nodeId && e.state === state
    const seen = this.events.find(match)
    if (seen !== undefined) return Promise.resolve(seen)
    const done = deferred<ProgressEvent>()
    this.waiters.push({ match, done })
    return done.promise
  }

  /** `nodeId:state@completed/total` per event, for compact order assertions. */
  trace(): string[] {
    return this.events.map((e) => `${e.nodeId}:${e.state}@${e.completed}/${e.total}`)
  }
}

const node = (id: string, inputs?: Record<string, unknown>): WorkflowNode =>
  inputs === undefined ? { id, type: 'test' } : { id, type: 'test', inputs }
const edge = (from: string, output: string, to: string, input: string): WorkflowEdge => ({
  from: { node: from, output },
  to: { node: to, input },
})
const def = (nodes: WorkflowNode[], edges: WorkflowEdge[] = []): WorkflowDefinition => ({ name: 'test', nodes, edges })

// ---------------------------------------------------------------------------------------------

describe('runGraph', () => {
  it('runs two parallel branches concurrently, flows outputs along edges, and reports progress in order', async () => {
    //        +-> a1 -> a2 -+
    //  src --+             +-> join -> report
    //        +-> b1 -> b2 -+
    const graph = def(
      [
        node('src', { value: 2 }),
        node('a1'),
        node('a2'),
        node('b1', { x: 100, step: 1 }), // `x` is overridden by the edge, `step` stays
        node('b2'),
        node('join'),
        node('report'),
      ],
      [
        edge('src', 'value', 'a1', 'x'),
        edge('a1', 'out', 'a2', 'x'),
        edge('src', 'value', 'b1', 'x'),
        edge('b1', 'out', 'b2', 'x'),
        edge('a2', 'out', 'join', 'left'),
        edge('b2', 'out', 'join', 'right'),
        edge('join', 'sum', 'report', 'value'),
      ],
    )
    const exec = new ManualExecutor()
    const progress = new ProgressLog()
    const run = runGraph({ def: graph, executeNode: exec.execute, concurrency: 4, onProgress: progress.listener })

    const src = await exec.started('src')
    expect(src.inputs).toEqual({ value: 2 })
    expect(exec.startOrder).toEqual(['src'])
    src.result.resolve({ value: 2 })

    const a1 = await exec.started('a1')
    const b1 = await exec.started('b1')
    expect(exec.active).toBe(2) // both branches run at once
    expect(a1.inputs).toEqual({ x: 2 })
    expect(b1.inputs).toEqual({ x: 2, step: 1 })

    b1.result.resolve({ out: 3 })
    const b2 = await exec.started('b2')
    expect(b2.inputs).toEqual({ x: 3 })
    expect(exec.active).toBe(2) // a1 and b2

    a1.result.resolve({ out: 4 })
    const a2 = await exec.started('a2')
    expect(a2.inputs).toEqual({ x: 4 })

    a2.result.resolve({ out: 5, unused: true })
    await progress.reached('a2', 'succeeded')
    expect(exec.calls.has('join')).toBe(false) // still waits for b2

    b2.result.resolve({ out: 6 })
    const join = await exec.started('join')
    expect(join.inputs).toEqual({ left: 5, right: 6 })
    join.result.resolve({ sum: 11 })

    const report = await exec.started('report')
    expect(report.inputs).toEqual({ value: 11 })
    report.result.resolve({})

    const result = await run
    expect(result.status).toBe('succeeded')
    expect(result.error).toBeUndefined()
    expect(exec.maxActive).toBe(2)
    expect(Object.keys(result.nodes)).toEqual(['src', 'a1', 'a2', 'b1', 'b2', 'join', 'report'])
    expect(result.nodes['join']).toMatchObject({ state: 'succeeded', outputs: { sum: 11 } })
    expect(result.nodes['a2']?.outputs).toEqual({ out: 5, unused: true })
    for (const record of Object.values(result.nodes)) {
      expect(record.state).toBe('succeeded')
      expect(record.startedAt).toEqual(expect.any(Number))
      expect(record.finishedAt).toBeGreaterThanOrEqual(record.startedAt!)
    }
    expect(progress.trace()).toEqual([
      'src:running@0/7',
      'src:succeeded@1/7',
      'a1:running@1/7',
      'b1:running@1/7',
      'b1:succeeded@2/7',
      'b2:running@2/7',
      'a1:succeeded@3/7',
      'a2:running@3/7',
      'a2:succeeded@4/7',
      'b2:succeeded@5/7',
      'join:running@5/7',
      'join:succeeded@6/7',
      'report:running@6/7',
      'report:succeeded@7/7',
    ])
  })

  it('never runs more nodes at once than the concurrency bound, and fills free slots in order', async () => {
    const graph = def(['n1', 'n2', 'n3', 'n4', 'n5', 'n6'].map((id) => node(id)))
    const exec = new ManualExecutor()
    const run = runGraph({ def: graph, executeNode: exec.execute, concurrency: 2 })

    await exec.started('n2')
    expect(exec.startOrder).toEqual(['n1', 'n2'])

    exec.call('n2').result.resolve({})
    await exec.started('n3')
    expect(exec.startOrder).toEqual(['n1', 'n2', 'n3'])
    expect(exec.active).toBe(2)

    exec.call('n1').result.resolve({})
    exec.call('n3').result.resolve({})
    await exec.started('n5')
    expect(exec.startOrder).toEqual(['n1', 'n2', 'n3', 'n4', 'n5'])
    expect(exec.active).toBe(2)

    exec.call('n4').result.resolve({})
    await exec.started('n6')
    exec.call('n5').result.resolve({})
    exec.call('n6').result.resolve({})

    expect((await run).status).toBe('succeeded')
    expect(exec.maxActive).toBe(2)
  })

  it('runs 4 nodes at once by default', async () => {
    const graph = def(['a', 'b', 'c', 'd', 'e', 'f'].map((id) => node(id)))
    const exec = new ManualExecutor()
    const run = runGraph({ def: graph, executeNode: exec.execute })
    await exec.started('d')
    expect(exec.startOrder).toEqual(['a', 'b', 'c', 'd'])
    for (const id of ['a', 'b', 'c', 'd']) exec.call(id).result.resolve({})
    await exec.started('f')
    exec.call('e').result.resolve({})
    exec.call('f').result.resolve({})
    expect((await run).status).toBe('succeeded')
    expect(exec.maxActive).toBe(4)
  })

  it('fails the run on the first failing node: cancels the running sibling and skips the pending ones', async () => {
    //  a -> c -+
    //          +-> e        f: independent, ready but not started (concurrency 2)
    //  b -> d -+
    const graph = def(
      [node('a'), node('b'), node('f'), node('c'), node('d'), node('e')],
      [edge('a', 'o', 'c', 'i'), edge('b', 'o', 'd', 'i'), edge('c', 'o', 'e', 'l'), edge('d', 'o', 'e', 'r')],
    )
    const exec = new ManualExecutor()
    const progress = new ProgressLog()
    const run = runGraph({ def: graph, executeNode: exec.execute, concurrency: 2, onProgress: progress.listener })

    const a = await exec.started('a')
    const b = await exec.started('b') // b ignores its signal and never settles on its own
    const boom = Object.assign(new Error('boom'), { code: 'E_BOOM' })
    a.result.reject(boom)

    const result = await run
    expect(result.status).toBe('failed')
    expect(result.error).toEqual({ nodeId: 'a', message: 'boom', code: 'E_BOOM' })

    expect(b.signal.aborted).toBe(true)
    expect(b.signal.reason).toBeInstanceOf(NodeAbortedError)
    expect(b.signal.reason).toMatchObject({ name: 'AbortError', failedNodeId: 'a', cause: boom })
    // The nodes share the run's signal: the failed node's fires too, with the same reason, after it failed.
    expect(a.signal.reason).toBe(b.signal.reason)

    expect(result.nodes['a']).toMatchObject({ state: 'failed', error: { message: 'boom', code: 'E_BOOM' } })
    expect(result.nodes['b']).toMatchObject({ state: 'cancelled', startedAt: expect.any(Number), finishedAt: expect.any(Number) })
    for (const id of ['f', 'c', 'd', 'e']) expect(result.nodes[id]).toEqual({ state: 'skipped' })
    expect(exec.startOrder).toEqual(['a', 'b'])

    expect(progress.trace()).toEqual([
      'a:running@0/6',
      'b:running@0/6',
      'a:failed@1/6',
      'b:cancelled@2/6',
      'f:skipped@3/6',
      'c:skipped@4/6',
      'd:skipped@5/6',
      'e:skipped@6/6',
    ])
    expect(progress.events[2]?.error).toEqual({ message: 'boom', code: 'E_BOOM' })

    // The straggler settling late changes nothing.
    b.result.resolve({ o: 1 })
    await b.result.promise
    expect(progress.events).toHaveLength(8)
    expect(result.nodes['b']?.state).toBe('cancelled')
  })

  it('cancels midway: every running node sees its signal abort, pending nodes are skipped', async () => {
    //        +-> x -+
    //  src --+-> y -+-> sink
    //        +-> z -+
    const graph = def(
      [node('src'), node('x'), node('y'), node('z'), node('sink')],
      [
        edge('src', 'v', 'x', 'v'),
        edge('src', 'v', 'y', 'v'),
        edge('src', 'v', 'z', 'v'),
        edge('x', 'v', 'sink', 'x'),
        edge('y', 'v', 'sink', 'y'),
        edge('z', 'v', 'sink', 'z'),
      ],
    )
    const exec = new ManualExecutor()
    const progress = new ProgressLog()
    const controller = new AbortController()
    const run = runGraph({ def: graph, executeNode: exec.execute, signal: controller.signal, onProgress: progress.listener })

    ;(await exec.started('src')).result.resolve({ v: 1 })
    const running = await Promise.all(['x', 'y', 'z'].map((id) => exec.started(id)))
    // x honours its signal by rejecting; y and z ignore it and never settle.
    const x = running[0]!
    x.signal.addEventListener('abort', () => x.result.reject(x.signal.reason))

    const reason = new Error('stopped by the user')
    controller.abort(reason)
    const result = await run

    for (const call of running) {
      expect(call.signal.aborted).toBe(true)
      expect(call.signal.reason).toBe(reason)
    }
    expect(result.status).toBe('cancelled')
    expect(result.error).toBeUndefined()
    expect(result.nodes['src']).toMatchObject({ state: 'succeeded', outputs: { v: 1 } })
    for (const id of ['x', 'y', 'z']) expect(result.nodes[id]?.state).toBe('cancelled')
    expect(result.nodes['sink']).toEqual({ state: 'skipped' })
    expect(exec.calls.has('sink')).toBe(false)
    expect(progress.trace().slice(-4)).toEqual(['x:cancelled@2/5', 'y:cancelled@3/5', 'z:cancelled@4/5', 'sink:skipped@5/5'])

    await x.result.promise.catch(() => undefined)
    expect(progress.events).toHaveLength(9)
  })

  it('executes nothing when the signal is already aborted', async () => {
    const exec = new ManualExecutor()
    const progress = new ProgressLog()
    const result = await runGraph({
      def: def([node('a'), node('b')], [edge('a', 'o', 'b', 'i')]),
      executeNode: exec.execute,
      signal: AbortSignal.abort(),
      onProgress: progress.listener,
    })
    expect(result).toEqual({ status: 'cancelled', nodes: { a: { state: 'skipped' }, b: { state: 'skipped' } } })
    expect(exec.calls.size).toBe(0)
    expect(progress.trace()).toEqual(['a:skipped@1/2', 'b:skipped@2/2'])
  })

  it('fails a node whose upstream did not produce the output an edge expects, without executing it', async () => {
    const executed: string[] = []
    const result = await runGraph({
      def: def([node('a'), node('b')], [edge('a', 'missing', 'b', 'in')]),
      executeNode: async (n) => {
        executed.push(n.id)
        return { present: 1 }
      },
    })
    expect(executed).toEqual(['a'])
    expect(result.status).toBe('failed')
    expect(result.error).toMatchObject({ nodeId: 'b', code: 'missing-upstream-output' })
    expect(result.error?.message).toContain('"missing"')
  })

  it('passes an upstream output that is present but undefined', async () => {
    const seen: Record<string, unknown>[] = []
    const result = await runGraph({
      def: def([node('a'), node('b')], [edge('a', 'o', 'b', 'i')]),
      executeNode: async (n, inputs) => {
        seen.push(inputs)
        return n.id === 'a' ? { o: undefined } : {}
      },
    })
    expect(result.status).toBe('succeeded')
    expect(seen[1]).toEqual({ i: undefined })
    expect(Object.hasOwn(seen[1]!, 'i')).toBe(true)
  })

  it('treats a synchronous throw and a non-object result as node failures', async () => {
    const thrown = await runGraph({
      def: def([node('a')]),
      executeNode: () => {
        throw new Error('sync')
      },
    })
    expect(thrown).toMatchObject({ status: 'failed', error: { nodeId: 'a', message: 'sync' } })

    const invalid = await runGraph({
      def: def([node('a')]),
      executeNode: async () => null as unknown as NodeOutputs,
    })
    expect(invalid).toMatchObject({ status: 'failed', error: { nodeId: 'a', code: 'invalid-node-outputs' } })

    const stringly = await runGraph({ def: def([node('a')]), executeNode: () => Promise.reject('plain') })
    expect(stringly.error).toEqual({ nodeId: 'a', message: 'plain' })
  })

  it('does not start a node when the run is cancelled from its own running event', async () => {
    const controller = new AbortController()
    const executed: string[] = []
    const result = await runGraph({
      def: def([node('a'), node('b')]),
      executeNode: async (n) => {
        executed.push(n.id)
        return {}
      },
      concurrency: 1,
      signal: controller.signal,
      onProgress: (e) => {
        if (e.nodeId === 'a' && e.state === 'running') controller.abort()
      },
    })
    expect(executed).toEqual([])
    expect(result.status).toBe('cancelled')
    expect(result.nodes).toEqual({ a: expect.objectContaining({ state: 'cancelled' }), b: { state: 'skipped' } })
  })

  it('ignores exceptions thrown by onProgress', async () => {
    const result = await runGraph({
      def: def([node('a'), node('b')], [edge('a', 'o', 'b', 'i')]),
      executeNode: async () => ({ o: 1 }),
      onProgress: () => {
        throw new Error('listener bug')
      },
    })
    expect(result.status).toBe('succeeded')
  })

  it('rejects a graph that cannot be ordered and a bad concurrency, before executing anything', async () => {
    const executeNode: ExecuteNode = async () => {
      throw new Error('must not run')
    }
    await expect(
      runGraph({ def: def([node('a'), node('b')], [edge('a', 'o', 'b', 'i'), edge('b', 'o', 'a', 'i')]), executeNode }),
    ).rejects.toBeInstanceOf(WorkflowPlanError)
    for (const concurrency of [0, -1, 1.5, Number.NaN]) {
      await expect(runGraph({ def: def([node('a')]), executeNode, concurrency })).rejects.toBeInstanceOf(RangeError)
    }
  })
})
