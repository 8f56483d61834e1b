import { z } from 'zod'

/** The files pack's settings: the folders node types may touch (none by default). */
export const filesSettings = z.object({
  folders: z
    .array(z.string().min(1).max(4096).refine((folder) => folder.startsWith('/') || /^[A-Za-z]:[\\/]/.test(folder), 'An absolute folder path'))
    .max(100)
    .default([])
    .describe(
      'Folders the file nodes may read and write, with everything inside them. None by default. Paths are checked as they ' +
        'really are on disk: a symbolic link that leads outside these folders is refused.',
    ),
  maxReadBytes: z
    .number()
    .int()
    .min(1)
    .max(512 * 1024 * 1024)
    .default(10 * 1024 * 1024)
    .describe('The largest file a read node returns (bytes).'),
})

export type FilesSettings = z.output<typeof filesSettings>
