import { z } from 'zod'

/** The data pack's settings: the limits of the sandbox its map and filter expressions run in. */
export const dataSettings = z.object({
  expressionTimeoutMs: z
    .number()
    .int()
    .min(10)
    .max(30_000)
    .default(1000)
    .describe('The longest a map or filter expression may run for one item (ms).'),
  memoryMb: z.number().int().min(24).max(1024).default(64).describe('The memory of the sandbox expressions run in (MiB).'),
})

export type DataSettings = z.output<typeof dataSettings>
