/**
 * Who may use which namespace (see README.md, "Namespace policy").
 *
 * The router has already checked the procedure's own permission (`storage.read` or `storage.write`).
 * Renderers and main need nothing more: that grant covers every namespace (the Storage view browses them
 * all). A plugin caller is further confined to its own namespace (its id in kebab case) unless it holds
 * `storage.read.<namespace>` / `storage.write.<namespace>` (or a wildcard covering it: `storage.write.*`).
 */
import { isGranted, type Caller } from '@atomiton/plugin-sdk'
import { forbidden } from './errors'
import { NAMESPACE_PATTERN } from './limits'

export type Access = 'read' | 'write'

const PLUGIN_CALLER_PREFIX = 'plugin:'

/** A plugin's own namespace: its id in kebab case (`myNotes` -> `my-notes`); undefined for other callers. */
export function ownNamespace(caller: Caller): string | undefined {
  if (caller.kind !== 'plugin' || !caller.id.startsWith(PLUGIN_CALLER_PREFIX)) return undefined
  const namespace = caller.id.slice(PLUGIN_CALLER_PREFIX.length).replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)
  return NAMESPACE_PATTERN.test(namespace) ? namespace : undefined
}

/** The grant a plugin needs to reach a namespace that is not its own. */
export function namespacePermission(namespace: string, access: Access): string {
  return `storage.${access}.${namespace}`
}

export function mayAccess(caller: Caller, namespace: string, access: Access): boolean {
  if (caller.kind !== 'plugin') return true
  return ownNamespace(caller) === namespace || isGranted(caller.grants, namespacePermission(namespace, access))
}

/** Throws FORBIDDEN (naming the missing permission) when the caller may not reach the namespace. */
export function assertAccess(caller: Caller, namespace: string, access: Access): void {
  if (!mayAccess(caller, namespace, access)) throw forbidden({ permission: namespacePermission(namespace, access), namespace })
}
