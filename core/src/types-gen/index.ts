/**
 * Type generation: the `.d.ts` of every procedure and event a running host's plugins expose, from discovery
 * (`rpc.discover` gives their input, output and payload JSON Schemas), so it covers any loaded plugin,
 * built-in or installed, without its sources.
 */
import type { Caller } from '../host/caller'
import type { Host } from '../host/create-host'
import type { Catalog } from '../host/host-domain'
import { catalogToDts } from './catalog-dts'

export { catalogToDts } from './catalog-dts'
export { printType, type JsonSchemaNode, type PrintContext } from './json-schema-to-ts'

export interface TypesOptions {
  /**
   * `renderer` (default): what a window or script may be whitelisted for (`expose: true`), as the UI's
   * client sees it. `internal`: every procedure and event, as main and plugins see them.
   */
  readonly view?: 'renderer' | 'internal'
}

/** The `.d.ts` text for what `host` serves now (its active plugins). */
export async function generateTypes(host: Pick<Host, 'call'>, options: TypesOptions = {}): Promise<string> {
  const caller: Caller =
    options.view === 'internal' ? { id: 'types', kind: 'main', grants: ['*'] } : { id: 'types', kind: 'renderer', grants: ['*'] }
  const catalog = (await host.call('rpc.discover', undefined, { caller })) as Catalog
  return catalogToDts(catalog)
}
