import { describe, expect, it, vi } from 'vitest'
import * as z from 'zod'
import { NodeError } from './errors'
import { builtinNodeTypes, registerBuiltins } from './builtin/index'
import { defineNodeType, type NodeType } from './node-type'
import { NodeTypeRegistry } from './registry'

function fakeType(id: string, extra: Partial<NodeType> = {}): NodeType {
  return defineNodeType({
    id,
    title: `Title of ${id}`,
    description: `Description of ${id}`,
    input: z.object({ n: z.number().default(1) }),
    output: z.object({ n: z.number() }),
    execute: (inputs) => inputs,
    ...extra,
  })
}

function thrown(fn: () => unknown): unknown {
  try {
    fn()
  } catch (error) {
    return error
  }
  throw new Error('expected a throw')
}

describe('NodeTypeRegistry', () => {
  it('registers, gets and lists types sorted by id', () => {
    const registry = new NodeTypeRegistry()
    const b = fakeType('test.b')
    const a = fakeType('test.a')
    registry.register(b, 'plugin-one')
    registry.register(a, 'plugin-two')
    expect(registry.get('test.a')).toBe(a)
    expect(registry.get('test.missing')).toBeUndefined()
    expect(registry.has('test.b')).toBe(true)
    expect(registry.ownerOf('test.b')).toBe('plugin-one')
    expect(registry.list()).toEqual([a, b])
  })

  it('rejects a duplicate id with CONFLICT naming the owner already holding it', () => {
    const registry = new NodeTypeRegistry()
    registry.register(fakeType('test.dup'), 'first-plugin')
    const error = thrown(() => registry.register(fakeType('test.dup'), 'second-plugin'))
    expect(NodeError.is(error, 'CONFLICT')).toBe(true)
    expect((error as NodeError).message).toBe('Node type "test.dup" is already registered by "first-plugin"')
    expect((error as NodeError).data).toEqual({ id: 'test.dup', owner: 'first-plugin' })
    expect(registry.ownerOf('test.dup')).toBe('first-plugin')
  })

  it('rejects a malformed contribution and an empty owner with INVALID_PARAMS', () => {
    const registry = new NodeTypeRegistry()
    const bad = thrown(() => registry.register({ ...fakeType('test.x'), id: 'Not Valid' }, 'p'))
    expect(NodeError.is(bad, 'INVALID_PARAMS')).toBe(true)
    expect((bad as NodeError).issues?.map((issue) => issue.path)).toEqual([['id']])
    const noExecute = thrown(() => registry.register({ ...fakeType('test.x'), execute: undefined } as unknown as NodeType, 'p'))
    expect((noExecute as NodeError).issues?.map((issue) => issue.path)).toEqual([['execute']])
    expect(NodeError.is(thrown(() => registry.register(fakeType('test.x'), '')), 'INVALID_PARAMS')).toBe(true)
    expect(registry.list()).toEqual([])
  })

  it('unregister removes only its own registration and is idempotent', () => {
    const registry = new NodeTypeRegistry()
    const first = fakeType('test.swap')
    const unregister = registry.register(first, 'p1')
    unregister()
    expect(registry.get('test.swap')).toBeUndefined()
    const second = fakeType('test.swap')
    registry.register(second, 'p2')
    unregister()
    expect(registry.get('test.swap')).toBe(second)
    expect(registry.ownerOf('test.swap')).toBe('p2')
  })

  it('removeOwner removes every type of that owner and returns their ids', () => {
    const registry = new NodeTypeRegistry()
    registry.register(fakeType('test.z'), 'gone')
    registry.register(fakeType('test.keep'), 'stays')
    registry.register(fakeType('test.a'), 'gone')
    expect(registry.removeOwner('gone')).toEqual(['test.a', 'test.z'])
    expect(registry.list().map((type) => type.id)).toEqual(['test.keep'])
    expect(registry.removeOwner('gone')).toEqual([])
    expect(registry.removeOwner('nobody')).toEqual([])
  })

  it('clear removes every type, notifies once, and leaves old unregisters harmless', () => {
    const registry = new NodeTypeRegistry()
    const unregister = registry.register(fakeType('test.b'), 'one')
    registry.register(fakeType('test.a'), 'two')
    const listener = vi.fn()
    registry.onChange(listener)
    expect(registry.clear()).toEqual(['test.a', 'test.b'])
    expect(registry.list()).toEqual([])
    expect(listener).toHaveBeenCalledTimes(1)
    expect(registry.clear()).toEqual([])
    expect(listener).toHaveBeenCalledTimes(1)
    registry.register(fakeType('test.b'), 'three')
    unregister() // the old registration is gone: the new one stays
    expect(registry.ownerOf('test.b')).toBe('three')
  })

  it('notifies onChange after each change, until unsubscribed', () => {
    const registry = new NodeTypeRegistry()
    const listener = vi.fn()
    const off = registry.onChange(listener)
    const unregister = registry.register(fakeType('test.a'), 'p')
    registry.register(fakeType('test.b'), 'p')
    unregister()
    registry.removeOwner('p')
    registry.removeOwner('p') // nothing removed: no call
    expect(listener).toHaveBeenCalledTimes(4)
    off()
    registry.register(fakeType('test.c'), 'p')
    expect(listener).toHaveBeenCalledTimes(4)
  })

  it('describes types with input-io and output-io JSON Schemas', () => {
    const registry = new NodeTypeRegistry()
    registry.register(fakeType('test.described', { category: 'tests' }), 'owner-x')
    registry.register(fakeType('test.plain'), 'owner-y')
    const [described, plain] = registry.describe()
    expect(described).toEqual({
      id: 'test.described',
      title: 'Title of test.described',
      description: 'Description of test.described',
      category: 'tests',
      owner: 'owner-x',
      inputSchema: {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        properties: { n: { type: 'number', default: 1 } },
      },
      outputSchema: {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        properties: { n: { type: 'number' } },
        required: ['n'],
        additionalProperties: false,
      },
    })
    expect(plain).not.toHaveProperty('category')
    expect(registry.describeType('test.plain')).toEqual(plain)
    expect(registry.describeType('test.none')).toBeUndefined()
  })

  it('caches JSON Schemas per type object (same objects on every describe and re-registration) and freezes them', () => {
    const registry = new NodeTypeRegistry()
    const type = fakeType('test.cached')
    const unregister = registry.register(type, 'p1')
    const first = registry.describe()[0]
    const second = registry.describe()[0]
    expect(second?.inputSchema).toBe(first?.inputSchema)
    expect(second?.outputSchema).toBe(first?.outputSchema)
    unregister()
    registry.register(type, 'p2')
    expect(registry.describe()[0]?.inputSchema).toBe(first?.inputSchema)
    expect(Object.isFrozen(first?.inputSchema)).toBe(true)
  })

  it('describes schemas JSON Schema cannot express as "anything" instead of throwing', () => {
    const registry = new NodeTypeRegistry()
    registry.register(
      fakeType('test.exotic', {
        input: z.object({ when: z.date(), big: z.bigint() }),
        output: z.object({ n: z.string().transform((s) => s.length), f: z.custom<() => void>((v) => typeof v === 'function') }),
      }),
      'p',
    )
    const [description] = registry.describe()
    expect(description?.inputSchema).toMatchObject({ properties: { when: {}, big: {} } })
    expect(description?.outputSchema).toMatchObject({ properties: { n: {}, f: {} } })
  })

  it('registers and removes all built-ins', () => {
    const registry = new NodeTypeRegistry()
    const unregister = registerBuiltins(registry)
    expect(registry.list().map((type) => type.id)).toEqual([
      'core.constant',
      'core.delay',
      'core.log',
      'json.pick',
      'json.transform',
      'math.arithmetic',
      'text.template',
    ])
    expect(registry.describe().every((d) => d.owner === 'node' && typeof d.inputSchema === 'object')).toBe(true)
    expect(builtinNodeTypes.map((type) => type.id)).toEqual(registry.list().map((type) => type.id))
    unregister()
    expect(registry.list()).toEqual([])
  })

  it('registerBuiltins rolls back when one id is taken', () => {
    const registry = new NodeTypeRegistry()
    registry.register(fakeType('json.pick'), 'squatter')
    expect(NodeError.is(thrown(() => registerBuiltins(registry)), 'CONFLICT')).toBe(true)
    expect(registry.list().map((type) => type.id)).toEqual(['json.pick'])
  })
})
