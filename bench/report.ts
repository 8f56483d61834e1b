/** Printing: the machine line, one table per case with ratios against the case's baselines, and the JSON file. */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { availableParallelism, cpus, platform, arch, totalmem } from 'node:os'
import { dirname } from 'node:path'
import { ratioLabel, type CaseResult, type Row } from './harness'
import { describePlacement } from './placement'

export interface Machine {
  readonly cpu: string
  readonly cores: number
  readonly node: string
  readonly platform: string
  readonly memoryGB: number
  readonly date: string
  /** Where the threads of cross-thread cases run (placement.ts). */
  readonly placement?: string
}

export interface ScenarioResult {
  readonly id: string
  readonly title: string
  readonly cases: readonly CaseResult[]
}

export interface BenchResult {
  readonly machine: Machine
  readonly quick: boolean
  readonly scenarios: readonly ScenarioResult[]
}

export function machine(): Machine {
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: availableParallelism(),
    node: process.version,
    platform: `${platform()} ${arch()}`,
    memoryGB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    date: new Date().toISOString(),
    placement: describePlacement(),
  }
}

export function machineLine(m: Machine): string {
  return `# machine: ${m.cpu} | ${m.cores} cores | Node ${m.node} | ${m.platform} | ${m.memoryGB} GB | ${m.date}${m.placement ? `\n# placement: ${m.placement}` : ''}`
}

export function formatMs(ms: number | undefined): string {
  if (ms === undefined || Number.isNaN(ms)) return '-'
  if (ms < 0.001) return `${(ms * 1e6).toFixed(0)} ns`
  if (ms < 1) return `${(ms * 1e3).toFixed(ms < 0.01 ? 2 : ms < 0.1 ? 1 : 0)} µs`
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 2 : ms < 100 ? 1 : 0)} ms`
  return `${(ms / 1000).toFixed(2)} s`
}

function formatRate(perSecond: number | undefined): string {
  if (perSecond === undefined) return '-'
  return perSecond >= 100 ? Math.round(perSecond).toLocaleString('en-US') : perSecond.toFixed(2)
}

function formatRatio(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined) return '-'
  return `${ratio.toFixed(ratio >= 100 ? 0 : 2)}×`
}

function formatMetric(value: number | undefined): string {
  if (value === undefined) return '-'
  return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toLocaleString('en-US', { maximumFractionDigits: 2 })
}

function table(header: readonly string[], body: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]?.length ?? 0)))
  const line = (cells: readonly string[]): string =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd()
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...body.map(line)].join('\n')
}

function metricNames(rows: readonly Row[]): string[] {
  const names = new Set<string>()
  for (const row of rows) for (const name of Object.keys(row.metrics)) names.add(name)
  return [...names]
}

export function formatCase(result: CaseResult): string {
  const metrics = metricNames(result.rows)
  const ratioHeaders = result.ratioOf.flatMap((of) => result.baselines.map((b) => ratioLabel(of, b)))
  const latency = result.mode === 'latency'
  const header = [
    'contender',
    ...(latency ? ['calls/s', 'median', 'p99'] : []),
    ...ratioHeaders,
    ...(latency ? ['samples'] : []),
    ...metrics,
  ]
  const notes: string[] = []
  const body = result.rows.map((row) => {
    const name = row.baseline ? `${row.name} *` : row.name
    if (row.status !== 'ok') {
      notes.push(`  ${row.status === 'skipped' ? 'skipped' : 'FAILED'}: ${row.name}: ${row.reason ?? ''}`)
      return [name, ...header.slice(1).map(() => (row.status === 'skipped' ? '·' : '!'))]
    }
    return [
      name,
      ...(latency ? [formatRate(row.callsPerSecond), formatMs(row.medianMs), formatMs(row.p99Ms)] : []),
      ...ratioHeaders.map((label) => formatRatio(row.ratios[label])),
      ...(latency ? [row.group > 1 ? `${row.samples}×${row.group}` : String(row.samples)] : []),
      ...metrics.map((m) => formatMetric(row.metrics[m])),
    ]
  })
  const unit = result.concurrency > 1 ? `1 op = ${result.concurrency} concurrent calls (median/p99 per op, calls/s counts calls)` : ''
  const heading = [`▸ ${result.title}`, unit, result.note].filter(Boolean).join('\n  ')
  return [heading, table(header, body), ...notes].join('\n')
}

export const LEGEND = [
  '* = baseline of its table; "vs X" = this contender\'s median (or the named figure) divided by X\'s, measured in the same run.',
  'samples N×g = N samples, each the mean of g consecutive ops (ops too short to time alone); p99 is then over those means.',
].join('\n')

export function writeJson(file: string, result: BenchResult): void {
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`)
}

/** The same tables in Markdown (docs/benchmarks.md pastes them): one per case, ratios and metrics included. */
export function formatMarkdown(result: BenchResult): string {
  const m = result.machine
  const out: string[] = [
    `Machine: ${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.platform}, ${m.memoryGB} GB; ${m.date}${result.quick ? ' (QUICK: figures meaningless)' : ''}`,
    ...(m.placement ? ['', `Placement: ${m.placement}`] : []),
  ]
  for (const scenario of result.scenarios) {
    out.push('', `### ${scenario.title}`)
    for (const testCase of scenario.cases) {
      const metrics = metricNames(testCase.rows)
      const ratioHeaders = testCase.ratioOf.flatMap((of) => testCase.baselines.map((b) => ratioLabel(of, b)))
      const latency = testCase.mode === 'latency'
      const header = ['contender', ...(latency ? ['calls/s', 'median', 'p99'] : []), ...ratioHeaders, ...(latency ? ['samples'] : []), ...metrics]
      const rows = testCase.rows.map((row) => {
        const name = row.baseline ? `${row.name} *` : row.name
        if (row.status !== 'ok') return [name, ...header.slice(1).map(() => row.status)]
        return [
          name,
          ...(latency ? [formatRate(row.callsPerSecond), formatMs(row.medianMs), formatMs(row.p99Ms)] : []),
          ...ratioHeaders.map((label) => formatRatio(row.ratios[label])),
          ...(latency ? [row.group > 1 ? `${row.samples}×${row.group}` : String(row.samples)] : []),
          ...metrics.map((name) => formatMetric(row.metrics[name])),
        ]
      })
      const unit = testCase.concurrency > 1 ? ` (1 op = ${testCase.concurrency} concurrent calls; calls/s counts calls)` : ''
      out.push('', `**${testCase.title}**${unit}${testCase.note ? ` — ${testCase.note}` : ''}`, '')
      out.push(`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`)
      for (const row of rows) out.push(`| ${row.join(' | ')} |`)
    }
  }
  return `${out.join('\n')}\n`
}

export function readJson(file: string): BenchResult {
  return JSON.parse(readFileSync(file, 'utf8')) as BenchResult
}
