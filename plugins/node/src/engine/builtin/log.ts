import * as z from 'zod'
import { LOG_LEVELS, defineNodeType } from '../node-type'

/** `core.log`: logs its value at a level (with a message) and passes the value through. */
export const logNode = defineNodeType({
  id: 'core.log',
  title: 'Log',
  description: 'Logs a value at a level and passes it through unchanged.',
  category: 'core',
  input: z.object({
    value: z.json(),
    level: z.enum(LOG_LEVELS).default('info'),
    message: z.string().max(10_000).default('Value'),
  }),
  output: z.object({ value: z.json() }),
  execute({ value, level, message }, ctx) {
    ctx.log(level, message, value)
    return { value }
  },
})
