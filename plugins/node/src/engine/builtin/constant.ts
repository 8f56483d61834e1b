import * as z from 'zod'
import { defineNodeType } from '../node-type'

/** `core.constant`: outputs the JSON value it is given, unchanged. */
export const constantNode = defineNodeType({
  id: 'core.constant',
  title: 'Constant',
  description: 'Outputs a fixed JSON value.',
  category: 'core',
  input: z.object({ value: z.json().describe('Any JSON value') }),
  output: z.object({ value: z.json() }),
  execute({ value }, ctx) {
    ctx.log('debug', 'Emitting constant', { kind: value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value })
    return { value }
  },
})
