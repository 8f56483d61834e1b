/**
 * The UI's grants as a host serves them: derived from what is registered (`uiGrantsOf` in grants.ts) and
 * recomputed when a domain comes or goes (a plugin enabled, disabled, installed or removed). Transports
 * read `current()` on every call, so a window's grants follow the catalog without reconnecting.
 */
import type { Host } from '@atomiton/core/host/create-host'
import type { Disposable } from '@atomiton/core/host/disposable'
import { uiGrantsOf, type PermissionEntry } from './grants'

export interface LiveGrants extends Disposable {
  /** The grants now (a frozen list, the same object until the catalog changes). */
  current(): readonly string[]
}

function* registeredEntries(host: Pick<Host, 'router' | 'eventBus'>): Iterable<PermissionEntry> {
  for (const route of host.router.entries()) yield { permission: route.permission, exposed: route.procedure.expose }
  for (const entry of host.eventBus.entries()) yield { permission: entry.permission, exposed: entry.definition.expose === true }
}

export function createLiveGrants(host: Pick<Host, 'router' | 'eventBus' | 'hooks'>): LiveGrants {
  let grants: readonly string[] | undefined
  const stale = () => {
    grants = undefined
  }
  // After the router and the event bus (stages -10/10): the catalog is already up to date when this runs.
  const taps = [
    host.hooks.registerDomain.tap({ name: 'ui-grants', owner: 'app', stage: 100 }, stale),
    host.hooks.unregisterDomain.tap({ name: 'ui-grants', owner: 'app', stage: 100 }, stale),
  ]
  return {
    current: () => (grants ??= uiGrantsOf(registeredEntries(host))),
    dispose: () => {
      for (const tap of taps) void tap.dispose()
    },
  }
}
