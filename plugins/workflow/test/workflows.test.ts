// Saving workflows: CRUD through the storage contract, validation with paths and codes, versions.
import { describe, expect, it } from 'vitest'
import type { WorkflowDocument } from '../src/index'
import { createStorageFixture } from './fixtures'
import { failure, startHost } from './harness'

/** src(3) -> double -> add(b = 10) */
const chain = (): WorkflowDocument => ({
  name: 'Chain',
  description: 'doubles then adds ten',
  nodes: [
    { id: 'src', type: 'test.constant', inputs: { value: 3 } },
    { id: 'double', type: 'math.double', label: 'x2' },
    { id: 'add', type: 'math.add', inputs: { b: 10 } },
  ],
  edges: [
    { from: { node: 'src', output: 'value' }, to: { node: 'double', input: 'value' } },
    { from: { node: 'double', output: 'value' }, to: { node: 'add', input: 'a' } },
  ],
})

const brief = (issues: readonly { path: unknown; code?: string }[]) => issues.map(({ path, code }) => ({ path, code }))

describe('workflow CRUD', () => {
  it('creates, gets, lists, updates and deletes, persisting through storage and announcing each change', async () => {
    const { client, storage, events } = await startHost()

    const created = await client.workflow.create({ workflow: chain() })
    expect(created).toEqual({
      id: expect.any(String),
      ...chain(),
      version: 1,
      createdAt: expect.any(Number),
      updatedAt: created.createdAt,
    })
    expect(storage.data.get('workflow')?.get(`workflows/${created.id}`)).toEqual(created)
    await expect(client.workflow.get({ id: created.id })).resolves.toEqual(created)

    const other = await client.workflow.create({ workflow: { name: 'Alpha', nodes: [{ id: 'one', type: 'test.constant', inputs: { value: 1 } }], edges: [] } })
    await expect(client.workflow.list()).resolves.toEqual({
      workflows: [
        { id: other.id, name: 'Alpha', version: 1, createdAt: other.createdAt, updatedAt: other.updatedAt, nodeCount: 1, edgeCount: 0 },
        {
          id: created.id,
          name: 'Chain',
          description: 'doubles then adds ten',
          version: 1,
          createdAt: created.createdAt,
          updatedAt: created.updatedAt,
          nodeCount: 3,
          edgeCount: 2,
        },
      ],
    })

    // The stored document may come back as is (its id and bookkeeping fields are accepted or ignored).
    const renamed = await client.workflow.update({ id: created.id, workflow: { ...created, name: 'Chain v2' }, expectedVersion: 1 })
    expect(renamed).toMatchObject({ id: created.id, name: 'Chain v2', version: 2, createdAt: created.createdAt })
    expect(renamed.updatedAt).toBeGreaterThanOrEqual(created.updatedAt)
    expect(storage.data.get('workflow')?.get(`workflows/${created.id}`)).toEqual(renamed)

    await expect(client.workflow.delete({ id: created.id })).resolves.toEqual({ id: created.id, deleted: true })
    expect(storage.data.get('workflow')?.has(`workflows/${created.id}`)).toBe(false)
    expect((await client.workflow.list()).workflows.map((w) => w.id)).toEqual([other.id])

    await expect.poll(() => events.changed).toEqual([
      { id: created.id, op: 'created', version: 1 },
      { id: other.id, op: 'created', version: 1 },
      { id: created.id, op: 'updated', version: 2 },
      { id: created.id, op: 'deleted' },
    ])
  })

  it('keeps workflows across a disable/enable of the plugin and across a new host on the same storage', async () => {
    const storage = createStorageFixture()
    const first = await startHost({ storage })
    const saved = await first.client.workflow.create({ workflow: chain() })

    await first.t.host.plugins.disable('workflow')
    await first.t.host.plugins.enable('workflow')
    await expect(first.client.workflow.get({ id: saved.id })).resolves.toEqual(saved)

    const second = await startHost({ storage })
    await expect(second.client.workflow.get({ id: saved.id })).resolves.toEqual(saved)
    expect((await second.client.workflow.list()).workflows).toHaveLength(1)
  })

  it('answers NOT_FOUND for an unknown workflow id', async () => {
    const { client } = await startHost()
    for (const call of [
      client.workflow.get({ id: 'nope' }),
      client.workflow.update({ id: 'nope', workflow: chain() }),
      client.workflow.delete({ id: 'nope' }),
      client.workflow.run({ id: 'nope' }),
    ]) {
      expect(await failure(call)).toMatchObject({ code: 'NOT_FOUND', data: { id: 'nope' } })
    }
  })

  it('refuses a stale expectedVersion with CONFLICT and keeps the stored version', async () => {
    const { client, storage } = await startHost()
    const saved = await client.workflow.create({ workflow: chain() })
    await client.workflow.update({ id: saved.id, workflow: { ...chain(), name: 'v2' }, expectedVersion: 1 })

    const stale = await failure(client.workflow.update({ id: saved.id, workflow: { ...chain(), name: 'lost' }, expectedVersion: 1 }))
    expect(stale).toMatchObject({ code: 'CONFLICT', data: { id: saved.id, expectedVersion: 1, actualVersion: 2 } })
    expect(await failure(client.workflow.delete({ id: saved.id, expectedVersion: 1 }))).toMatchObject({
      code: 'CONFLICT',
      data: { expectedVersion: 1, actualVersion: 2 },
    })
    await expect(client.workflow.get({ id: saved.id })).resolves.toMatchObject({ name: 'v2', version: 2 })
    expect(storage.writes).toHaveLength(2)
  })

  it('lets exactly one of two concurrent updates of the same version win', async () => {
    const { client } = await startHost()
    const saved = await client.workflow.create({ workflow: chain() })
    const results = await Promise.allSettled([
      client.workflow.update({ id: saved.id, workflow: { ...chain(), name: 'left' }, expectedVersion: 1 }),
      client.workflow.update({ id: saved.id, workflow: { ...chain(), name: 'right' }, expectedVersion: 1 }),
    ])
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected'])
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult
    expect(rejected.reason).toMatchObject({ code: 'CONFLICT' })
    expect((await client.workflow.get({ id: saved.id })).version).toBe(2)
  })

  it('leaves a damaged stored record out of the list and answers INTERNAL for it', async () => {
    const { client, storage } = await startHost()
    const saved = await client.workflow.create({ workflow: chain() })
    storage.data.get('workflow')?.set('workflows/broken', { name: 42 })
    expect((await client.workflow.list()).workflows.map((w) => w.id)).toEqual([saved.id])
    expect(await failure(client.workflow.get({ id: 'broken' }))).toMatchObject({ code: 'INTERNAL', data: { id: 'broken' } })
  })

  it('checks permissions: workflow.read may read but not write or run', async () => {
    const { t, client } = await startHost()
    const saved = await client.workflow.create({ workflow: chain() })
    const reader = t.connect({ grants: ['workflow.read'] }).client
    await expect(reader.workflow.get({ id: saved.id })).resolves.toEqual(saved)
    expect(await failure(reader.workflow.create({ workflow: chain() }))).toMatchObject({ code: 'FORBIDDEN', data: { permission: 'workflow.write' } })
    expect(await failure(reader.workflow.run({ id: saved.id }))).toMatchObject({ code: 'FORBIDDEN', data: { permission: 'workflow.run' } })
  })
})

describe('workflow validation', () => {
  const number = (id: string, value = 1) => ({ id, type: 'test.constant', inputs: { value } })
  const edge = (from: string, output: string, to: string, input: string) => ({ from: { node: from, output }, to: { node: to, input } })

  const cases: { name: string; workflow: WorkflowDocument; problems: { path: (string | number)[]; code: string }[] }[] = [
    {
      name: 'an unknown node type',
      workflow: { name: 'w', nodes: [number('a'), { id: 'b', type: 'no.such-type' }], edges: [] },
      problems: [{ path: ['workflow', 'nodes', 1, 'type'], code: 'unknown-node-type' }],
    },
    {
      name: 'a dangling edge',
      workflow: { name: 'w', nodes: [number('a')], edges: [edge('a', 'value', 'ghost', 'value')] },
      problems: [{ path: ['workflow', 'edges', 0, 'to', 'node'], code: 'dangling-edge' }],
    },
    {
      name: 'a cycle',
      workflow: {
        name: 'w',
        nodes: [{ id: 'a', type: 'math.double' }, { id: 'b', type: 'math.double' }],
        edges: [edge('a', 'value', 'b', 'value'), edge('b', 'value', 'a', 'value')],
      },
      problems: [{ path: ['workflow', 'edges', 0], code: 'cycle' }],
    },
    {
      name: 'a missing required input',
      workflow: { name: 'w', nodes: [number('a'), { id: 'sum', type: 'math.add' }], edges: [edge('a', 'value', 'sum', 'a')] },
      problems: [{ path: ['workflow', 'nodes', 1, 'inputs', 'b'], code: 'missing-required-input' }],
    },
    {
      name: 'a connection whose types cannot match',
      workflow: { name: 'w', nodes: [number('a'), { id: 'up', type: 'text.upper' }], edges: [edge('a', 'value', 'up', 'text')] },
      problems: [{ path: ['workflow', 'edges', 0], code: 'type-mismatch' }],
    },
    {
      name: 'undeclared ports (static input, edge output, edge input)',
      workflow: {
        name: 'w',
        nodes: [{ id: 'a', type: 'test.constant', inputs: { value: 1, colour: 'red' } }, { id: 'd', type: 'math.double', inputs: { value: 2 } }],
        edges: [edge('a', 'nope', 'd', 'value'), edge('a', 'value', 'd', 'factor')],
      },
      problems: [
        { path: ['workflow', 'nodes', 0, 'inputs', 'colour'], code: 'unknown-input' },
        { path: ['workflow', 'edges', 0, 'from', 'output'], code: 'unknown-output' },
        { path: ['workflow', 'edges', 1, 'to', 'input'], code: 'unknown-input' },
      ],
    },
    {
      name: 'a duplicate node id',
      workflow: { name: 'w', nodes: [number('a'), number('a', 2)], edges: [] },
      problems: [{ path: ['workflow', 'nodes', 1, 'id'], code: 'duplicate-node-id' }],
    },
    {
      name: 'an input fed by two edges',
      workflow: {
        name: 'w',
        nodes: [number('a'), number('b'), { id: 'd', type: 'math.double' }],
        edges: [edge('a', 'value', 'd', 'value'), edge('b', 'value', 'd', 'value')],
      },
      problems: [{ path: ['workflow', 'edges', 1, 'to', 'input'], code: 'duplicate-input-source' }],
    },
  ]

  it.each(cases)('create refuses $name with INVALID_PARAMS naming its path and code, writing nothing', async ({ workflow, problems }) => {
    const { client, storage, events } = await startHost()
    const error = await failure(client.workflow.create({ workflow }))
    expect(error.code).toBe('INVALID_PARAMS')
    expect(brief(error.data.issues)).toEqual(problems)
    for (const issue of error.data.issues) expect(issue.message).toEqual(expect.any(String))
    expect(storage.writes).toEqual([])
    expect(events.changed).toEqual([])
  })

  it('validate answers the same problems relative to the document, without saving', async () => {
    const { client, storage } = await startHost()
    for (const { workflow, problems } of cases) {
      const { problems: found } = await client.workflow.validate({ workflow })
      expect(brief(found)).toEqual(problems.map(({ path, code }) => ({ path: path.slice(1), code })))
    }
    await expect(client.workflow.validate({ workflow: chain() })).resolves.toEqual({ problems: [] })
    expect(storage.writes).toEqual([])
  })

  it('update refuses an invalid graph and keeps the old version', async () => {
    const { client, storage } = await startHost()
    const saved = await client.workflow.create({ workflow: chain() })
    const broken = chain()
    broken.edges.push(edge('add', 'sum', 'nowhere', 'x'))
    broken.nodes[1] = { id: 'double', type: 'gone.type' }

    const error = await failure(client.workflow.update({ id: saved.id, workflow: broken, expectedVersion: 1 }))
    expect(error).toMatchObject({ code: 'INVALID_PARAMS', message: expect.stringContaining('Unknown node type "gone.type"') })
    expect(brief(error.data.issues)).toEqual([
      { path: ['workflow', 'nodes', 1, 'type'], code: 'unknown-node-type' },
      { path: ['workflow', 'edges', 2, 'to', 'node'], code: 'dangling-edge' },
    ])
    await expect(client.workflow.get({ id: saved.id })).resolves.toEqual(saved)
    expect(storage.writes).toEqual([`set:workflow/workflows/${saved.id}`])
  })

  it('refuses a malformed document, naming each field under workflow', async () => {
    const { client, storage } = await startHost()
    const error = await failure(client.workflow.create({ workflow: { name: '', nodes: [{ id: '1st', type: 'test.constant' }], edges: [{}] } as never }))
    expect(error.code).toBe('INVALID_PARAMS')
    expect(error.data.issues.map((i: { path: unknown }) => i.path)).toEqual(
      expect.arrayContaining([
        ['workflow', 'name'],
        ['workflow', 'nodes', 0, 'id'],
        ['workflow', 'edges', 0, 'from'],
        ['workflow', 'edges', 0, 'to'],
      ]),
    )
    expect(await failure(client.workflow.create({ workflow: { ...chain(), id: 'mine' } }))).toMatchObject({
      code: 'INVALID_PARAMS',
      data: { issues: [{ path: ['workflow', 'id'], code: 'custom' }] },
    })
    expect(await failure(client.workflow.get({ id: '' }))).toMatchObject({ code: 'INVALID_PARAMS', data: { issues: [{ path: ['id'] }] } })
    const saved = await client.workflow.create({ workflow: chain() })
    expect(await failure(client.workflow.update({ id: saved.id, workflow: { ...chain(), id: 'other' } }))).toMatchObject({
      code: 'INVALID_PARAMS',
      data: { issues: [{ path: ['workflow', 'id'] }] },
    })
    expect(await failure(client.workflow.update({ id: saved.id, workflow: chain(), expectedVersion: 0 }))).toMatchObject({
      code: 'INVALID_PARAMS',
      data: { issues: [{ path: ['expectedVersion'] }] },
    })
    expect(storage.writes).toHaveLength(1)
  })
})
