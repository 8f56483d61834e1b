/**
 * Orders plugins so that every plugin comes after its dependencies. Missing dependencies and cycles are
 * errors that name the plugins involved.
 */
export interface Dependent {
  readonly id: string
  readonly dependencies: readonly string[]
}

export class PluginGraphError extends Error {
  override readonly name = 'PluginGraphError'
  constructor(
    message: string,
    readonly problem: 'duplicate' | 'missing-dependency' | 'cycle',
    readonly plugins: readonly string[],
  ) {
    super(message)
  }
}

export function orderByDependencies<T extends Dependent>(plugins: readonly T[]): T[] {
  const byId = new Map<string, T>()
  for (const plugin of plugins) {
    if (byId.has(plugin.id)) throw new PluginGraphError(`Plugin "${plugin.id}" is loaded twice`, 'duplicate', [plugin.id])
    byId.set(plugin.id, plugin)
  }
  const missing: string[] = []
  for (const plugin of plugins) {
    for (const dependency of plugin.dependencies) {
      if (!byId.has(dependency)) missing.push(`"${plugin.id}" depends on "${dependency}", which is not loaded`)
    }
  }
  if (missing.length > 0) {
    throw new PluginGraphError(`Missing plugin dependencies: ${missing.join('; ')}`, 'missing-dependency', missing)
  }

  const ordered: T[] = []
  const state = new Map<string, 'visiting' | 'done'>()
  const stack: string[] = []
  const visit = (plugin: T): void => {
    const current = state.get(plugin.id)
    if (current === 'done') return
    if (current === 'visiting') {
      const cycle = [...stack.slice(stack.indexOf(plugin.id)), plugin.id]
      throw new PluginGraphError(`Plugin dependency cycle: ${cycle.join(' -> ')}`, 'cycle', cycle)
    }
    state.set(plugin.id, 'visiting')
    stack.push(plugin.id)
    for (const dependency of plugin.dependencies) visit(byId.get(dependency)!)
    stack.pop()
    state.set(plugin.id, 'done')
    ordered.push(plugin)
  }
  // Stable: plugins keep the order they were given in, unless a dependency must come first.
  for (const plugin of plugins) visit(plugin)
  return ordered
}

/** Every plugin that depends on `id`, directly or not, ordered so that dependents come last. */
export function transitiveDependents<T extends Dependent>(ordered: readonly T[], id: string): T[] {
  const affected = new Set([id])
  const result: T[] = []
  for (const plugin of ordered) {
    if (plugin.id !== id && plugin.dependencies.some((dependency) => affected.has(dependency))) {
      affected.add(plugin.id)
      result.push(plugin)
    }
  }
  return result
}

/** Every plugin `id` depends on, directly or not, in activation order. */
export function transitiveDependencies<T extends Dependent>(ordered: readonly T[], id: string): T[] {
  const byId = new Map(ordered.map((plugin) => [plugin.id, plugin]))
  const needed = new Set<string>()
  const walk = (current: string): void => {
    for (const dependency of byId.get(current)?.dependencies ?? []) {
      if (!needed.has(dependency)) {
        needed.add(dependency)
        walk(dependency)
      }
    }
  }
  walk(id)
  return ordered.filter((plugin) => needed.has(plugin.id))
}
