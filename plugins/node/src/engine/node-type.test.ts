import { describe, expect, expectTypeOf, it } from 'vitest'
import * as z from 'zod'
import { NodeError } from './errors'
import { builtinNodeTypes } from './builtin/index'
import { defineNodeType, isNodeType, nodeTypeSchema, parseNodeType, type NodeExecutionContext } from './node-type'

const valid = {
  id: 'test.echo',
  title: 'Echo',
  description: 'Echoes',
  input: z.object({ text: z.string() }),
  output: z.object({ text: z.string() }),
  execute: (inputs: { text: string }) => inputs,
}

function issuePaths(value: unknown): unknown[] {
  const result = nodeTypeSchema.safeParse(value)
  expect(result.success).toBe(false)
  return result.success ? [] : result.error.issues.map((issue) => issue.path)
}

describe('defineNodeType', () => {
  it('returns its argument and types execute from the schemas', () => {
    const def = {
      id: 'test.typed',
      title: 'Typed',
      description: '',
      input: z.object({ n: z.string().transform((s) => s.length) }),
      output: z.object({ doubled: z.number().default(0) }),
      execute(inputs: { n: number }, ctx: NodeExecutionContext) {
        ctx.log('debug', 'x')
        return { doubled: inputs.n * 2 }
      },
    }
    const type = defineNodeType(def)
    expect(type).toBe(def)
    const inferred = defineNodeType({
      ...def,
      execute(inputs) {
        expectTypeOf(inputs).toEqualTypeOf<{ n: number }>()
        return {}
      },
    })
    expect(inferred.id).toBe('test.typed')
    expectTypeOf<ReturnType<typeof inferred.execute>>().toEqualTypeOf<Promise<{ doubled?: number | undefined }> | { doubled?: number | undefined }>()
  })
})

describe('nodeTypeSchema', () => {
  it('accepts every built-in and a plain contribution', () => {
    for (const type of builtinNodeTypes) expect(isNodeType(type), type.id).toBe(true)
    expect(isNodeType(valid)).toBe(true)
    expect(isNodeType({ ...valid, category: 'tests' })).toBe(true)
  })

  it('accepts a class instance whose execute is on the prototype, and parseNodeType returns it as is', () => {
    class Echo {
      readonly id = 'test.class-echo'
      readonly title = 'Class echo'
      readonly description = ''
      readonly input = z.string()
      readonly output = z.string()
      execute(text: string): string {
        return text
      }
    }
    const instance = new Echo()
    expect(parseNodeType(instance)).toBe(instance)
  })

  it.each([
    ['Math.arithmetic'],
    ['math..arithmetic'],
    ['math.'],
    ['1math'],
    ['math_arith'],
    [''],
  ])('rejects the id %j', (id) => {
    expect(issuePaths({ ...valid, id })).toEqual([['id']])
  })

  it('accepts dotted lowercase ids with digits and dashes', () => {
    for (const id of ['core', 'math.arithmetic', 'my-plugin.do-thing2', 'a.b.c']) expect(isNodeType({ ...valid, id })).toBe(true)
  })

  it('rejects a blank title, a non-zod schema and a non-function execute, each at its path', () => {
    expect(issuePaths({ ...valid, title: '  ' })).toEqual([['title']])
    expect(issuePaths({ ...valid, input: { parse: () => 1 } })).toEqual([['input']])
    expect(issuePaths({ ...valid, output: 'string' })).toEqual([['output']])
    expect(issuePaths({ ...valid, execute: 'run' })).toEqual([['execute']])
    expect(issuePaths({ ...valid, category: '' })).toEqual([['category']])
    expect(issuePaths({ ...valid, description: undefined })).toEqual([['description']])
    expect(isNodeType(null)).toBe(false)
  })

  it('parseNodeType throws a NodeError INVALID_PARAMS with the issues', () => {
    let caught: unknown
    try {
      parseNodeType({ ...valid, id: 'Bad' })
    } catch (error) {
      caught = error
    }
    expect(NodeError.is(caught, 'INVALID_PARAMS')).toBe(true)
    expect((caught as NodeError).issues).toEqual([{ path: ['id'], message: 'Node type id must be dotted lowercase segments, e.g. "math.arithmetic"' }])
  })
})
