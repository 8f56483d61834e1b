/**
 * The renderer's one way to the backend: the conductor facade (`app/conductor`) over the typed client.
 * Its types come from the built-in plugins' contracts (`AppApi`, type-only imports: nothing of them is
 * bundled), so there is no hand-written API interface anywhere.
 */
import type { AtomitonBridge, EventsOf, InputOf, OutputOf } from '@atomiton/core/client'
import { createRPCClient } from '@atomiton/core/client'
import type { EventDescription, PluginDescription, ProcedureDescription } from '@atomiton/core/host/host-domain'
import { createConductor, type AppApi, type AppClient, type Conductor } from '../../conductor'

export type Input<M extends string> = InputOf<AppApi, M>
export type Output<M extends string> = OutputOf<AppApi, M>
export type Events = EventsOf<AppApi>
export type EventName = keyof Events & string

export type { AppClient, Conductor, EventDescription, PluginDescription, ProcedureDescription }
export type { Catalog, ExecutionRecord, InstallResult, PackageInspection, PluginSettingsState, UninstallResult, NodeStatus, NodeTypeInfo, StoredWorkflow, WorkflowDocument, WorkflowProgress, WorkflowRun } from '../../conductor'

/** The conductor over an existing client (tests pass a `createTestHost` client). */
export function conductorFor(client: AppClient): Conductor {
  return createConductor({ client })
}

/** The conductor over a bridge (Electron's preload bridge or browser mode's WebSocket bridge). */
export function connectConductor(bridge: AtomitonBridge): Conductor {
  return conductorFor(createRPCClient<AppApi>(bridge))
}
