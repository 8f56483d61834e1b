/**
 * Triggers (the document's `triggers`, see engine/schema.ts): schedules that fire while the app runs, and
 * the webhook check. A triggered run is an ordinary run (in the history, with `trigger` set).
 *
 * POLICY FOR SCHEDULES:
 * - A schedule fires only while the app runs and the plugin is on. **Runs missed while it was closed (or
 *   the plugin off) are not made up**: on start, each schedule resumes from its next due time after now.
 *   (Making up could start a burst of stale runs after a long pause; a workflow that must catch up can
 *   look at its own last run.)
 * - A firing is skipped (with a warning in the log) while the previous scheduled run of the same workflow is
 *   still in progress: runs of one schedule never overlap.
 * - Saving a workflow re-arms its schedules; deleting it stops them.
 */
import type { Logger } from '@atomiton/plugin-sdk'
import type { RunTrigger, StoredWorkflow } from './api'
import { startSchedule } from './engine/schedule'
import type { WorkflowDefinition } from './engine/schema'

/** What the trigger service needs from the plugin. */
export interface TriggerHost {
  load(id: string): Promise<StoredWorkflow | undefined>
  list(): Promise<StoredWorkflow[]>
  /** Starts a run of the saved workflow; resolves to its id. */
  start(workflowId: string, trigger: RunTrigger): Promise<string>
  isRunning(runId: string): boolean
  readonly logger: Logger
}

/** Compares two strings in time that does not depend on where they differ. */
function sameSecret(a: string, b: string): boolean {
  let difference = a.length ^ b.length
  for (let i = 0; i < Math.max(a.length, b.length); i++) difference |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0)
  return difference === 0
}

/** True when the workflow has a webhook trigger with this token. */
export function acceptsWebhook(workflow: Pick<WorkflowDefinition, 'triggers'>, token: string): boolean {
  return (workflow.triggers ?? []).some((trigger) => trigger.type === 'webhook' && trigger.token !== undefined && sameSecret(trigger.token, token))
}

/** A new webhook token: 24 random bytes, base64url. */
export function newWebhookToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24))
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** The document with a token for every webhook trigger: the one it carries, else `previous`'s, else a new one. */
export function withWebhookTokens<T extends Pick<WorkflowDefinition, 'triggers'>>(document: T, previous?: Pick<WorkflowDefinition, 'triggers'>): T {
  if (document.triggers === undefined || !document.triggers.some((trigger) => trigger.type === 'webhook' && trigger.token === undefined)) return document
  const kept = previous?.triggers?.find((trigger) => trigger.type === 'webhook')
  const token = kept?.type === 'webhook' && kept.token !== undefined ? kept.token : newWebhookToken()
  return { ...document, triggers: document.triggers.map((trigger) => (trigger.type === 'webhook' && trigger.token === undefined ? { ...trigger, token } : trigger)) }
}

export class TriggerService {
  readonly #jobs = new Map<string, { stop(): void }[]>()
  readonly #lastScheduled = new Map<string, string>()
  #host: TriggerHost | undefined
  #stopped = false

  /** Arms the schedules of every saved workflow. */
  async attach(host: TriggerHost): Promise<void> {
    this.#host = host
    for (const workflow of await host.list()) this.#arm(workflow)
  }

  /** A workflow was saved or deleted: re-arms (or stops) its schedules. */
  async changed(id: string): Promise<void> {
    const host = this.#host
    if (host === undefined || this.#stopped) return
    this.#disarm(id)
    const workflow = await host.load(id)
    if (workflow !== undefined) this.#arm(workflow)
  }

  /** The ids of the workflows with armed schedules. */
  get scheduled(): string[] {
    return [...this.#jobs.keys()]
  }

  dispose(): void {
    this.#stopped = true
    for (const id of [...this.#jobs.keys()]) this.#disarm(id)
  }

  #arm(workflow: StoredWorkflow): void {
    if (this.#stopped) return
    const jobs: { stop(): void }[] = []
    for (const trigger of workflow.triggers ?? []) {
      if (trigger.type !== 'schedule') continue
      try {
        jobs.push(startSchedule(trigger.cron, trigger.timezone, (scheduledFor) => this.#fire(workflow.id, scheduledFor)))
      } catch (error) {
        this.#host?.logger.warn({ err: error, workflow: workflow.id }, 'A schedule could not be armed')
      }
    }
    if (jobs.length > 0) this.#jobs.set(workflow.id, jobs)
  }

  #disarm(id: string): void {
    for (const job of this.#jobs.get(id) ?? []) job.stop()
    this.#jobs.delete(id)
  }

  #fire(workflowId: string, scheduledFor: number): void {
    const host = this.#host
    if (host === undefined || this.#stopped) return
    const previous = this.#lastScheduled.get(workflowId)
    if (previous !== undefined && host.isRunning(previous)) {
      host.logger.warn({ workflow: workflowId, runId: previous }, 'Skipped a scheduled run: the previous one is still in progress')
      return
    }
    host.start(workflowId, { type: 'schedule', scheduledFor }).then(
      (runId) => this.#lastScheduled.set(workflowId, runId),
      (error: unknown) => host.logger.warn({ err: error, workflow: workflowId }, 'A scheduled run could not start'),
    )
  }
}
