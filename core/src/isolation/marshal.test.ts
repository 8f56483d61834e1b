/** Values with functions and schemas across the link, and markers a hostile process may forge. */
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { decodeArguments, decodeContribution, encodeArguments, encodeContribution } from './marshal'

describe('marshalling a contribution', () => {
  it('turns functions into stubs that invoke by id, and schemas into schemas that validate the same', async () => {
    const functions = new Map<number, (...args: unknown[]) => unknown>()
    let next = 0
    const execute = (input: { n: number }) => ({ n: input.n * 2 })
    const encoded = encodeContribution({ id: 'x.double', input: z.object({ n: z.number().int() }), nested: [{ execute }] }, functions, () => ++next)
    const wire = structuredClone(encoded)
    const invoked: unknown[] = []
    const decoded = decodeContribution(wire, (id, args) => {
      invoked.push([id, args])
      return Promise.resolve(functions.get(id)!(...args))
    }) as { input: z.ZodType; nested: [{ execute: (input: unknown) => Promise<unknown> }] }
    expect(decoded.input.safeParse({ n: 1.5 }).success).toBe(false)
    expect(decoded.input.safeParse({ n: 2 }).success).toBe(true)
    await expect(decoded.nested[0].execute({ n: 4 })).resolves.toEqual({ n: 8 })
    expect(invoked).toEqual([[1, [{ n: 4 }]]])
  })

  it('refuses a forged marker, and leaves look-alikes that are not markers as data', () => {
    expect(() => decodeContribution({ a: { $atomiton: 'function', id: 'x' } }, () => Promise.resolve())).toThrow(/not one/)
    expect(() => decodeContribution({ a: { $atomiton: 'schema', json: 'x' } }, () => Promise.resolve())).toThrow(/not one/)
    expect(() => decodeContribution({ a: { $atomiton: 'eval', code: '1' } }, () => Promise.resolve())).toThrow(/not one/)
    expect(decodeContribution({ a: { $atomiton: 3 } }, () => Promise.resolve())).toEqual({ a: { $atomiton: 3 } })
  })

  it('sends an AbortSignal as the request signal and functions as callbacks, and rebuilds them on the other side', () => {
    const callbacks = new Map<number, (...args: unknown[]) => unknown>()
    const controller = new AbortController()
    const logged: unknown[] = []
    const { args, signal } = encodeArguments([{ n: 1 }, { signal: controller.signal, log: (m: unknown) => logged.push(m) }], callbacks, () => 7)
    expect(signal).toBe(controller.signal)
    const other = new AbortController()
    const [, ctx] = decodeArguments(structuredClone(args), other.signal, (id, callArgs) => callbacks.get(id)!(...callArgs)) as [unknown, { signal: AbortSignal; log: (m: string) => void }]
    expect(ctx.signal).toBe(other.signal)
    ctx.log('hello')
    expect(logged).toEqual(['hello'])
  })
})
