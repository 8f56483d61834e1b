import * as z from 'zod'
import { NodeError, NodeErrorCodes } from '../errors'
import { defineNodeType } from '../node-type'

export const ARITHMETIC_OPS = ['add', 'subtract', 'multiply', 'divide', 'power', 'modulo'] as const
export type ArithmeticOp = (typeof ARITHMETIC_OPS)[number]

function apply(op: ArithmeticOp, a: number, b: number): number {
  switch (op) {
    case 'add':
      return a + b
    case 'subtract':
      return a - b
    case 'multiply':
      return a * b
    case 'divide':
      return a / b
    case 'power':
      return a ** b
    case 'modulo':
      return a % b
  }
}

/**
 * `math.arithmetic`: `a op b` on finite numbers. Fails with DIVISION_BY_ZERO for divide or modulo by
 * zero, and NON_FINITE_RESULT when the result overflows or is NaN (e.g. `(-8) ** 0.5`).
 */
export const arithmeticNode = defineNodeType({
  id: 'math.arithmetic',
  title: 'Arithmetic',
  description: 'Adds, subtracts, multiplies, divides, raises to a power or takes the remainder of two numbers.',
  category: 'math',
  input: z.object({
    op: z.enum(ARITHMETIC_OPS),
    a: z.number(),
    b: z.number(),
  }),
  output: z.object({ result: z.number() }),
  execute({ op, a, b }, ctx) {
    if ((op === 'divide' || op === 'modulo') && b === 0) {
      throw new NodeError(NodeErrorCodes.DIVISION_BY_ZERO, `Cannot ${op === 'divide' ? 'divide' : 'take modulo'} ${a} by zero`, {
        issues: [{ path: ['b'], message: 'Divisor must not be zero' }],
      })
    }
    const result = apply(op, a, b)
    if (!Number.isFinite(result)) {
      throw new NodeError(NodeErrorCodes.NON_FINITE_RESULT, `${op}(${a}, ${b}) is not a finite number`, {
        data: { op, a, b },
      })
    }
    ctx.log('debug', `${op}(${a}, ${b}) = ${result}`)
    return { result }
  },
})
