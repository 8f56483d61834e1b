/**
 * Cron patterns, through croner (a maintained, dependency-free cron library with seconds, time zones and
 * DST handling; writing a cron parser by hand is exactly what the brief asks not to do).
 */
import { Cron } from 'croner'

/** Why a schedule cannot run (the field at fault), or undefined when it can. */
export function scheduleProblem(cron: string, timezone: string | undefined): { field: 'cron' | 'timezone'; message: string } | undefined {
  try {
    new Cron(cron, { paused: true })
  } catch (error) {
    return { field: 'cron', message: `Invalid cron pattern "${cron}": ${error instanceof Error ? error.message : String(error)}` }
  }
  if (timezone !== undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: timezone })
    } catch {
      return { field: 'timezone', message: `Unknown time zone "${timezone}" (an IANA name such as "Europe/Paris")` }
    }
  }
  return undefined
}

/** A running schedule: calls `fire` with each due time while the app runs, until stopped. */
export function startSchedule(cron: string, timezone: string | undefined, fire: (scheduledFor: number) => void): { stop(): void } {
  const job = new Cron(cron, { ...(timezone === undefined ? {} : { timezone }), protect: true }, (self: Cron) => {
    fire(self.currentRun()?.getTime() ?? Date.now())
  })
  return { stop: () => job.stop() }
}
