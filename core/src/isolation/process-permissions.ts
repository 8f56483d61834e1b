/**
 * The Node permission model flags of a plugin's process: reads limited to what it must read, writes to its
 * own data folder, no child processes and no worker threads unless the manifest requests them (and the
 * person approved the manifest at install). Node cannot restrict the network on the versions we support
 * (20, 22, 24): that limitation is documented in plugin-sdk/PACKAGE-FORMAT.md.
 */

/** Manifest permissions that lift a process restriction (specified in plugin-sdk/PACKAGE-FORMAT.md). */
export const PROCESS_PERMISSIONS = {
  /** `child_process` (spawn, exec, fork): `--allow-child-process`. */
  childProcess: 'node.childProcess',
  /** `worker_threads`: `--allow-worker`. */
  worker: 'node.worker',
} as const

export interface ProcessPermissionOptions {
  /** Folders and files the process may read (its package, the lent modules' shims, its entry file...). */
  readonly read: readonly string[]
  /** Folders it may write (its data folder). */
  readonly write: readonly string[]
  /** The manifest's permissions (as approved). */
  readonly permissions: readonly string[]
  /** `--max-old-space-size`, in MB. */
  readonly maxOldSpaceMb: number
  /** The flags this Node knows (default: `process.allowedNodeEnvironmentFlags`). */
  readonly knownFlags?: ReadonlySet<string>
}

/**
 * `--permission` on Node 22.13+ / 23.5+ / 24; `--experimental-permission` on Node 20 (and an Electron whose
 * Node is older). Picked by asking Node which flag it knows rather than by parsing version numbers.
 */
export function permissionFlag(knownFlags: ReadonlySet<string> = process.allowedNodeEnvironmentFlags): string {
  return knownFlags.has('--permission') ? '--permission' : '--experimental-permission'
}

export function processExecArgv(options: ProcessPermissionOptions): string[] {
  const flags = [permissionFlag(options.knownFlags), `--max-old-space-size=${options.maxOldSpaceMb}`]
  for (const path of options.read) flags.push(`--allow-fs-read=${path}`)
  for (const path of options.write) flags.push(`--allow-fs-write=${path}`)
  if (options.permissions.includes(PROCESS_PERMISSIONS.childProcess)) flags.push('--allow-child-process')
  if (options.permissions.includes(PROCESS_PERMISSIONS.worker)) flags.push('--allow-worker')
  // The permission warning is expected: it would only fill the plugin's stderr (kept for crash reasons).
  flags.push('--no-warnings')
  return flags
}
