/** The pure core of the node plugin: node types, their registry, the executor, and the built-ins. */
export * from './errors'
export * from './node-type'
export * from './registry'
export * from './executor'
export * from './builtin/index'
