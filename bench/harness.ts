/**
 * Interleaved measurement.
 *
 * Neither tinybench nor mitata interleaves contenders: both measure one task to the end before the next,
 * so a contender measured later runs on a hotter (or more fragmented) VM, after more GC, with the CPU
 * clock in another state. Here every case runs in rounds: in each round every contender executes one
 * batch of ops in turn, first during a shared warm-up, then measured.
 *
 * The order is shuffled each round (a seeded PRNG, so runs repeat), not rotated: with a rotation each
 * contender would nearly always run right after the same neighbour and inherit its garbage (a GC landing
 * in its batch), a bias that would not move from run to run. For the same reason, when Node runs with
 * --expose-gc (the bench scripts do), a minor GC runs between batches, outside the timed region, so a
 * batch starts with an empty young generation whoever ran before it.
 * Each op's latency is one sample; for ops shorter than `minSampleMs`, a sample is the mean of a group of
 * ops (the group size is reported), since timing a sub-microsecond op alone would mostly time the clock.
 */
import { deepStrictEqual } from 'node:assert/strict'
import { performance } from 'node:perf_hooks'
import { setImmediate as yieldToLoop } from 'node:timers/promises'

/** One open connection of a contender: what the harness calls in the measured loop. */
export interface Session<P = unknown> {
  call(payload: P): Promise<unknown>
  close(): Promise<void>
  /** Extra figures (bytes, memory...), read once after measuring and printed as extra columns. */
  metrics?(): Record<string, number>
}

/** A named way of doing the scenario's call; `setup` opens it (spawns a worker, connects a socket...). */
export interface Contender<P = unknown> {
  readonly name: string
  setup(): Promise<Session<P>>
}

/**
 * Thrown by a contender that exists only as a slot (the Atomiton stubs): the harness skips it with a
 * printed note instead of failing. Also recognized by its message when it crossed a thread as a string.
 */
export class NotWiredError extends Error {
  override readonly name = 'NotWiredError'
}
export const NOT_WIRED = 'not wired yet'
export function isNotWired(error: unknown): boolean {
  return error instanceof NotWiredError || (error instanceof Error && error.message.includes(NOT_WIRED))
}

const SELF_TIMED: unique symbol = Symbol('bench.selfTimed')
/**
 * A call result carrying its own duration (e.g. spawn-to-ready of a child, or the timed part of an op
 * whose set-up is not measured), used instead of the wall time of `call`; `value` is what the echo check sees.
 */
export interface SelfTimed {
  readonly [SELF_TIMED]: number
  readonly value?: unknown
}
export function selfTimed(ms: number, value?: unknown): SelfTimed {
  return { [SELF_TIMED]: ms, value }
}
function selfTime(result: unknown): number | undefined {
  return typeof result === 'object' && result !== null && SELF_TIMED in result ? (result as SelfTimed)[SELF_TIMED] : undefined
}
function resultValue(result: unknown): unknown {
  return selfTime(result) === undefined ? result : (result as SelfTimed).value
}

export interface Budget {
  /** Shared warm-up, in wall time for the whole case (at least one op per contender). */
  readonly warmupMs: number
  /** Measured time for the whole case; continues until every contender has `minSamples`. */
  readonly measureMs: number
  readonly minSamples: number
  /** Target duration of one contender's batch in a round. */
  readonly batchMs: number
  /** Ops shorter than this are timed in groups; a sample is the group's mean. */
  readonly minSampleMs: number
  /** Hard stop, in measured wall time, whatever `minSamples` says. */
  readonly maxMeasureMs: number
}

export const FULL_BUDGET: Budget = { warmupMs: 600, measureMs: 2500, minSamples: 20, batchMs: 25, minSampleMs: 0.005, maxMeasureMs: 15_000 }
/** `--quick`: no warm-up, every contender runs its op once (after the echo check); only proves that the scenario still works. */
export const QUICK_BUDGET: Budget = { warmupMs: 0, measureMs: 0, minSamples: 1, batchMs: 0, minSampleMs: 0, maxMeasureMs: 0 }

export interface Case<P = unknown> {
  readonly title: string
  readonly note?: string
  readonly payload: P
  readonly contenders: readonly Contender<P>[]
  /** Names of the contenders the ratios are computed against (one ratio column each). */
  readonly baselines: readonly string[]
  /** One op issues this many calls at once and awaits them all; calls/s counts calls. Default 1. */
  readonly concurrency?: number
  /** `latency` (default): interleaved rounds. `once`: a single op per contender, for cases whose figures are metrics. */
  readonly mode?: 'latency' | 'once'
  /** The figures ratios divide, one set of ratio columns each: `median` (default) and/or names of metrics. */
  readonly ratioOf?: readonly string[]
  /** `echo` (default): the first result must deep-equal the payload. `none`: results are not checked. */
  readonly verify?: 'echo' | 'none'
  /** Overrides of the full budget (ignored by --quick). */
  readonly budget?: Partial<Budget>
}

export interface Scenario {
  readonly id: string
  readonly title: string
  cases(options: { quick: boolean }): readonly Case[] | Promise<readonly Case[]>
}

export interface Row {
  readonly name: string
  readonly status: 'ok' | 'skipped' | 'failed'
  readonly reason?: string
  readonly baseline: boolean
  readonly samples: number
  /** Ops per sample (1 unless the op is shorter than `minSampleMs`). */
  readonly group: number
  readonly callsPerSecond?: number
  readonly meanMs?: number
  readonly medianMs?: number
  readonly p99Ms?: number
  readonly minMs?: number
  /** Keyed by `ratioLabel(figure, baseline)`; null when that baseline has no such figure. */
  readonly ratios: Record<string, number | null>
  readonly metrics: Record<string, number>
}

export interface CaseResult {
  readonly title: string
  readonly note?: string
  readonly concurrency: number
  readonly mode: 'latency' | 'once'
  readonly baselines: readonly string[]
  readonly ratioOf: readonly string[]
  readonly rows: readonly Row[]
}

interface Live {
  readonly contender: Contender
  readonly session: Session
  readonly op: () => Promise<unknown>
  readonly samples: number[]
  opsPerBatch: number
  group: number
  estimateMs: number
  error?: unknown
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message.length > 600 ? `${message.slice(0, 600)}…` : message
}

/** Measures one case: sets every contender up, verifies it, warms all up together, then measures them interleaved. */
export async function measureCase(testCase: Case, quick: boolean): Promise<CaseResult> {
  const budget: Budget = quick ? QUICK_BUDGET : { ...FULL_BUDGET, ...testCase.budget }
  const mode = testCase.mode ?? 'latency'
  const concurrency = testCase.concurrency ?? 1
  const rows = new Map<string, Row>()
  const live: Live[] = []

  for (const contender of testCase.contenders) {
    let session: Session
    try {
      session = await contender.setup()
    } catch (error) {
      rows.set(contender.name, emptyRow(contender.name, testCase, isNotWired(error) ? 'skipped' : 'failed', describe(error)))
      continue
    }
    const op = concurrency === 1 ? () => session.call(testCase.payload) : () => burst(session, testCase.payload, concurrency)
    live.push({ contender, session, op, samples: [], opsPerBatch: 1, group: 1, estimateMs: 0 })
  }

  try {
    if (mode === 'once') {
      for (const entry of live) await timeBatch(entry, 1, 1, true)
    } else {
      if (testCase.verify !== 'none') await verify(live, testCase.payload)
      if (!quick) await warmUp(live, budget)
      await measure(live, budget)
    }
  } finally {
    for (const entry of live) {
      const row =
        entry.error === undefined
          ? statsRow(entry, testCase, concurrency, safeMetrics(entry))
          : emptyRow(entry.contender.name, testCase, 'failed', describe(entry.error))
      rows.set(entry.contender.name, row)
      await entry.session.close().catch(() => undefined)
    }
  }

  const ordered = testCase.contenders.map((c) => rows.get(c.name)).filter((r): r is Row => r !== undefined)
  return {
    title: testCase.title,
    ...(testCase.note === undefined ? {} : { note: testCase.note }),
    concurrency,
    mode,
    baselines: testCase.baselines,
    ratioOf: testCase.ratioOf ?? ['median'],
    rows: withRatios(ordered, testCase),
  }
}

async function burst(session: Session, payload: unknown, calls: number): Promise<unknown> {
  const pending = new Array<Promise<unknown>>(calls)
  for (let i = 0; i < calls; i++) pending[i] = session.call(payload)
  return Promise.all(pending)
}

async function verify(live: Live[], payload: unknown): Promise<void> {
  for (const entry of live) {
    try {
      const result = resultValue(await entry.session.call(payload))
      deepStrictEqual(result, payload, `${entry.contender.name} did not echo its payload`)
    } catch (error) {
      entry.error = error
    }
  }
}

function running(live: Live[]): Live[] {
  return live.filter((entry) => entry.error === undefined)
}

/** Runs `ops` ops (in groups of `group`), records one sample per group when `record`. Returns the mean ms per op. */
async function timeBatch(entry: Live, ops: number, group: number, record: boolean): Promise<number> {
  let total = 0
  try {
    for (let done = 0; done < ops; done += group) {
      let self = 0
      const start = performance.now()
      for (let i = 0; i < group; i++) {
        const result = await entry.op()
        self += selfTime(result) ?? Number.NaN
      }
      const elapsed = Number.isNaN(self) ? performance.now() - start : self
      total += elapsed
      if (record) entry.samples.push(elapsed / group)
    }
  } catch (error) {
    entry.error = error
  }
  return total / ops
}

/** Deterministic PRNG (mulberry32) for the order of contenders within a round. */
function prng(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const swap = out[i]!
    out[i] = out[j]!
    out[j] = swap
  }
  return out
}

type Gc = (options?: { type?: 'minor' | 'major'; execution?: 'sync' | 'async' }) => void
/** `gc` when Node runs with --expose-gc. */
const collect = (globalThis as { gc?: Gc }).gc

/** Runs rounds (each contender one batch, in a shuffled order) until `until(elapsed)` after a round. */
async function rounds(live: Live[], record: boolean, until: (elapsedMs: number) => boolean): Promise<void> {
  const started = performance.now()
  const random = prng(0x5eed)
  for (;;) {
    const active = running(live)
    if (active.length === 0) return
    for (const entry of shuffled(active, random)) {
      collect?.({ type: 'minor' })
      const meanMs = await timeBatch(entry, entry.opsPerBatch, entry.group, record)
      if (!record) entry.estimateMs = meanMs
      await yieldToLoop()
    }
    if (until(performance.now() - started)) return
  }
}

async function warmUp(live: Live[], budget: Budget): Promise<void> {
  // Calibration round: one op each, which sizes the warm-up batches, then the warm-up proper, which sizes the measured ones.
  await rounds(live, false, () => true)
  size(live, budget)
  if (budget.warmupMs > 0) await rounds(live, false, (elapsed) => elapsed >= budget.warmupMs)
  size(live, budget)
}

function size(live: Live[], budget: Budget): void {
  for (const entry of running(live)) {
    const estimate = Math.max(entry.estimateMs, 1e-6)
    entry.group = estimate < budget.minSampleMs ? Math.ceil(budget.minSampleMs / estimate) : 1
    const ops = Math.max(1, Math.round(budget.batchMs / estimate))
    entry.opsPerBatch = Math.ceil(Math.min(ops, 200_000) / entry.group) * entry.group
  }
}

async function measure(live: Live[], budget: Budget): Promise<void> {
  await rounds(live, true, (elapsed) => {
    if (elapsed >= budget.maxMeasureMs) return true
    return elapsed >= budget.measureMs && running(live).every((entry) => entry.samples.length >= budget.minSamples)
  })
}

function safeMetrics(entry: Live): Record<string, number> {
  try {
    return entry.session.metrics?.() ?? {}
  } catch {
    return {}
  }
}

function emptyRow(name: string, testCase: Case, status: Row['status'], reason?: string): Row {
  return {
    name,
    status,
    ...(reason === undefined ? {} : { reason }),
    baseline: testCase.baselines.includes(name),
    samples: 0,
    group: 1,
    ratios: {},
    metrics: {},
  }
}

/** Quantile by linear interpolation between closest ranks, on sorted samples. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN
  const position = (sorted.length - 1) * q
  const low = Math.floor(position)
  const high = Math.ceil(position)
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low)
}

function statsRow(entry: Live, testCase: Case, concurrency: number, metrics: Record<string, number>): Row {
  const sorted = [...entry.samples].sort((a, b) => a - b)
  if (sorted.length === 0) return emptyRow(entry.contender.name, testCase, 'failed', 'no samples')
  const meanMs = sorted.reduce((sum, x) => sum + x, 0) / sorted.length
  return {
    ...emptyRow(entry.contender.name, testCase, 'ok'),
    samples: sorted.length,
    group: entry.group,
    callsPerSecond: (concurrency * 1000) / meanMs,
    meanMs,
    medianMs: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    minMs: sorted[0]!,
    metrics,
  }
}

function figure(row: Row, of: string): number | undefined {
  return of === 'median' ? row.medianMs : row.metrics[of]
}

/**
 * The column (and JSON key) of a ratio: `vs X` for medians, `<figure> vs X` for a metric, where X is the
 * baseline's name without its trailing parenthesis (`raw postMessage echo (limit)` → `vs raw postMessage echo`).
 */
export function ratioLabel(of: string, baseline: string): string {
  const short = baseline.replace(/\s*\([^)]*\)\s*$/, '')
  return of === 'median' ? `vs ${short}` : `${of} vs ${short}`
}

function withRatios(rows: Row[], testCase: Case): Row[] {
  return rows.map((row) => {
    const ratios: Record<string, number | null> = {}
    for (const of of testCase.ratioOf ?? ['median']) {
      for (const name of testCase.baselines) {
        const base = rows.find((r) => r.name === name)
        const mine = row.status === 'ok' ? figure(row, of) : undefined
        const theirs = base?.status === 'ok' ? figure(base, of) : undefined
        ratios[ratioLabel(of, name)] = mine === undefined || theirs === undefined || theirs === 0 ? null : mine / theirs
      }
    }
    return { ...row, ratios }
  })
}
