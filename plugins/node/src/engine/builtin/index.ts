import type { NodeType } from '../node-type'
import type { NodeTypeRegistry } from '../registry'
import { arithmeticNode } from './arithmetic'
import { constantNode } from './constant'
import { delayNode } from './delay'
import { pickNode, transformNode } from './json'
import { logNode } from './log'
import { templateNode } from './template'

export { arithmeticNode, ARITHMETIC_OPS, type ArithmeticOp } from './arithmetic'
export { constantNode } from './constant'
export { delayNode, MAX_DELAY_MS, wait, progressInterval } from './delay'
export { pickNode, transformNode, jsonPathSchema } from './json'
export { JsonPathError, parseJsonPath, formatJsonPath, lookupPath, type PathSegment, type PathLookup } from './json-path'
export { logNode } from './log'
export { templateNode, renderTemplate, type RenderResult } from './template'

/** The node types the node plugin ships, in id order. */
export const builtinNodeTypes: readonly NodeType[] = [
  constantNode,
  delayNode,
  logNode,
  pickNode,
  transformNode,
  arithmeticNode,
  templateNode,
]

/** The owner name built-ins are registered under by default. */
export const BUILTIN_OWNER = 'node'

/** Registers every built-in under `owner`; returns one unregister for all of them. */
export function registerBuiltins(registry: NodeTypeRegistry, owner: string = BUILTIN_OWNER): () => void {
  const unregisters: (() => void)[] = []
  try {
    for (const type of builtinNodeTypes) unregisters.push(registry.register(type, owner))
  } catch (error) {
    for (const unregister of unregisters) unregister()
    throw error
  }
  return () => {
    for (const unregister of unregisters) unregister()
  }
}
