/**
 * Testing node types a plugin contributes to `node.types`, without the node plugin (a plugin's tests may not
 * import another plugin): the real host activates your plugin, and a small reader plugin takes what it
 * contributed and runs it the way the node plugin does (inputs parsed by the type's schema, a signal, logs,
 * outputs checked by the output schema).
 *
 *   const nodes = await createNodeTypeHost({ plugins: [httpPlugin] })
 *   await nodes.configure('http', { allowedHosts: ['127.0.0.1'] })
 *   const { outputs } = await nodes.run('http.request', { url }, { signal })
 */
import type { z } from 'zod'
import { definePlugin, type AnyPluginDefinition, type ExtensionPointReader } from '@atomiton/core/plugin/definition'
import type { PluginSettingsManager } from '@atomiton/core/plugin/settings'
import { createTestHost, type TestHost, type TestHostOptions } from './index'

/** The shape of a contributed node type, as the node plugin reads it (see plugins/node/README.md). */
export interface ContributedNodeType {
  readonly id: string
  readonly title: string
  readonly description: string
  readonly category?: string
  readonly input: z.ZodType
  readonly output: z.ZodType
  execute(inputs: unknown, ctx: NodeTestContext): unknown
}

export interface NodeTestContext {
  readonly signal: AbortSignal
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, data?: unknown): void
  progress(fraction: number, message?: string): void
}

export interface NodeRun {
  readonly outputs: unknown
  readonly logs: { level: string; message: string; data?: unknown }[]
  readonly progress: number[]
}

export interface NodeTypeHost<P extends readonly AnyPluginDefinition[]> {
  readonly test: TestHost<P>
  /** The node types contributed now, by id (with their owner). */
  types(): Map<string, { owner: string; type: ContributedNodeType }>
  /** Saves a plugin's settings as the Settings view would (validated by the host). */
  configure(pluginId: string, values: Record<string, unknown>): Promise<void>
  /** A plugin's settings as the Settings view gets them: JSON Schema (io input, with descriptions), values, defaults. */
  describeSettings(pluginId: string): ReturnType<PluginSettingsManager['describe']>
  /** Runs a contributed type: parses inputs (throws the ZodError), executes, parses outputs. */
  run(typeId: string, inputs?: Record<string, unknown>, options?: { signal?: AbortSignal }): Promise<NodeRun>
}

export async function createNodeTypeHost<const P extends readonly AnyPluginDefinition[]>(
  options: TestHostOptions<P>,
): Promise<NodeTypeHost<P>> {
  let reader: ExtensionPointReader<ContributedNodeType> | undefined
  const harness = definePlugin({
    id: 'nodeTypeHarness',
    version: '1.0.0',
    setup(ctx) {
      reader = ctx.extensions<ContributedNodeType>('node.types')
    },
  })
  const test = await createTestHost({ ...options, plugins: [harness, ...options.plugins] as unknown as P })
  // The host's own service, as the Settings view reaches it through `system`: the harness plugin is not
  // given host.admin for it (least privilege holds in tests too).
  const settings: PluginSettingsManager | undefined = test.host.container.cradle.pluginSettings
  const types = (): Map<string, { owner: string; type: ContributedNodeType }> =>
    new Map((reader?.values() ?? []).map((contribution) => [contribution.value.id, { owner: contribution.owner, type: contribution.value }]))
  return {
    test,
    types,
    configure(pluginId, values) {
      try {
        if (settings === undefined) throw new Error('The harness is not active')
        settings.set(pluginId, values)
        return Promise.resolve()
      } catch (error) {
        return Promise.reject(error as Error)
      }
    },
    describeSettings(pluginId) {
      if (settings === undefined) throw new Error('The harness is not active')
      return settings.describe(pluginId)
    },
    async run(typeId, inputs = {}, runOptions = {}) {
      const found = types().get(typeId)
      if (found === undefined) throw new Error(`No node type "${typeId}" is contributed`)
      const logs: NodeRun['logs'] = []
      const progress: number[] = []
      const parsed: unknown = found.type.input.parse(inputs)
      const outputs: unknown = await found.type.execute(parsed, {
        signal: runOptions.signal ?? new AbortController().signal,
        log: (level, message, data) => logs.push(data === undefined ? { level, message } : { level, message, data }),
        progress: (fraction) => progress.push(fraction),
      })
      return { outputs: found.type.output.parse(outputs), logs, progress }
    },
  }
}
