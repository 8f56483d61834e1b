import { z } from 'zod'

export const MAX_TIMEOUT_MS = 10 * 60_000

/** The shell pack's settings: off by default; the `enabled` field's description is the warning the person reads. */
export const shellSettings = z.object({
  enabled: z
    .boolean()
    .default(false)
    .describe(
      'Warning: switching this on lets workflows run programs on this computer, with your user\'s rights (they can read, ' +
        'change or delete anything you can). Only switch it on for workflows you trust. Programs run without a shell, only in ' +
        'the working folders below, with only the environment variables listed below.',
    ),
  folders: z
    .array(z.string().min(1).max(4096).refine((folder) => folder.startsWith('/') || /^[A-Za-z]:[\\/]/.test(folder), 'An absolute folder path'))
    .max(100)
    .default([])
    .describe('Folders a program may run in (its working folder must be inside one). None by default.'),
  environment: z
    .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'An environment variable name'))
    .max(200)
    .default(['PATH', 'LANG'])
    .describe('Environment variables a program gets from this computer, and the only ones a node may set. Nothing else is passed.'),
  maxTimeoutMs: z.number().int().min(100).max(MAX_TIMEOUT_MS).default(60_000).describe('The longest a program may run (ms).'),
  maxOutputBytes: z
    .number()
    .int()
    .min(1)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024)
    .describe('Output captured per stream (bytes); the rest is dropped and marked truncated.'),
})

export type ShellSettings = z.output<typeof shellSettings>
