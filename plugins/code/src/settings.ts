import { z } from 'zod'

/** The code pack's settings: the limits of the sandbox a person's code runs in. */
export const codeSettings = z.object({
  timeoutMs: z.number().int().min(10).max(30_000).default(1000).describe('The longest one code node may run (ms); an endless loop is stopped then.'),
  memoryMb: z.number().int().min(24).max(1024).default(64).describe('The memory of the sandbox code runs in (MiB, at least 24: the engine itself takes 16).'),
})

export type CodeSettings = z.output<typeof codeSettings>
