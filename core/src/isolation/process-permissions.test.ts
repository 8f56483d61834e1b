/** The permission flags of a plugin's process, for the Node versions we support (the flag is asked of Node). */
import { describe, expect, it } from 'vitest'
import { permissionFlag, processExecArgv } from './process-permissions'

describe('a plugin process\'s permission flags', () => {
  it('uses --permission where Node knows it (22.13+, 24) and --experimental-permission otherwise (20)', () => {
    expect(permissionFlag(new Set(['--permission', '--allow-fs-read']))).toBe('--permission')
    expect(permissionFlag(new Set(['--experimental-permission', '--allow-fs-read']))).toBe('--experimental-permission')
    // This very Node knows the flag it picks.
    expect(process.allowedNodeEnvironmentFlags.has(permissionFlag())).toBe(true)
  })

  it('allows reads and writes only where told, and child processes or workers only when the manifest asks', () => {
    const base = { read: ['/pkg', '/shims'], write: ['/data'], maxOldSpaceMb: 64, knownFlags: new Set(['--permission']) }
    const none = processExecArgv({ ...base, permissions: ['storage.get'] })
    expect(none).toEqual(['--permission', '--max-old-space-size=64', '--allow-fs-read=/pkg', '--allow-fs-read=/shims', '--allow-fs-write=/data', '--no-warnings'])
    const both = processExecArgv({ ...base, permissions: ['node.childProcess', 'node.worker'] })
    expect(both).toContain('--allow-child-process')
    expect(both).toContain('--allow-worker')
  })
})
