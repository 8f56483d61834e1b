// The built-ins under least privilege (plugin-sdk/README.md, "Host services"): each activates with exactly
// the host services it declares, and only the system plugin administers the host.
import { describe, expect, it } from 'vitest'
import { HOST_ADMIN_PERMISSION, HOST_SERVICE_PERMISSIONS, isGranted } from '@atomiton/plugin-sdk'
import { createTestHost } from '@atomiton/plugin-sdk/testing'
import { builtinPlugins } from './index'

describe('the built-in plugins under least privilege', () => {
  it('all activate with what they declare (a service they use but did not declare would fail them)', async () => {
    const t = await createTestHost({ plugins: builtinPlugins })
    expect(t.host.plugins.list().filter((plugin) => plugin.state !== 'active')).toEqual([])
  })

  it('only the system plugin holds host.admin', () => {
    expect(builtinPlugins.filter((plugin) => isGranted(plugin.permissions, HOST_ADMIN_PERMISSION)).map((plugin) => plugin.id)).toEqual(['system'])
  })

  it('each guarded host service a built-in declares is granted by its own permissions', () => {
    for (const plugin of builtinPlugins) {
      for (const name of plugin.hostServices) {
        const permission = HOST_SERVICE_PERMISSIONS[name]
        if (permission !== '') expect(isGranted(plugin.permissions, permission), `${plugin.id} declares ${name}`).toBe(true)
      }
    }
  })
})
