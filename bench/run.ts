/**
 * The benchmark's command line (built first, see vite.config.ts):
 *
 *   npm run bench                       every scenario, full budget
 *   npm run bench -- --quick            every scenario once, tiny counts (npm test runs this; asserts nothing about speed)
 *   npm run bench -- --json out.json    also write the figures as JSON
 *   npm run bench -- --markdown out.md  also write the tables as Markdown (what docs/benchmarks.md shows)
 *   node .../run.js --render out.json   print a JSON result's tables as Markdown, measuring nothing
 *   npm run bench -- --only worker,websocket
 *   npm run bench -- --only in-process --filter atomiton   only contenders whose name contains "atomiton" (comma: any of several)
 *
 * Exits 1 when a contender failed (set-up, the echo check or a call threw); a contender that is only a slot
 * (NotWiredError, the Atomiton stubs) is skipped with a note and does not fail the run.
 */
import { parseArgs } from 'node:util'
import { measureCase, type CaseResult, type Scenario } from './harness'
import { writeFileSync } from 'node:fs'
import { formatCase, formatMarkdown, LEGEND, machine, machineLine, readJson, writeJson, type ScenarioResult } from './report'
import { batching } from './scenarios/batching'
import { boot } from './scenarios/boot'
import { editor } from './scenarios/editor'
import { engine } from './scenarios/engine'
import { inProcess } from './scenarios/in-process'
import { isolation } from './scenarios/isolation'
import { packages } from './scenarios/packages'
import { renderer } from './scenarios/renderer'
import { sandbox } from './scenarios/sandbox'
import { scale } from './scenarios/scale'
import { typecheck } from './scenarios/typecheck'
import { websocket } from './scenarios/websocket'
import { worker } from './scenarios/worker'

const SCENARIOS: readonly Scenario[] = [inProcess, worker, batching, websocket, scale, boot, typecheck, renderer, packages, sandbox, engine, isolation, editor]

const USAGE = `usage: run.js [--quick] [--json <file>] [--markdown <file>] [--only <id,...>] [--filter <text,...>] | --render <json file>
scenarios: ${SCENARIOS.map((s) => s.id).join(', ')}`

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      json: { type: 'string' },
      markdown: { type: 'string' },
      render: { type: 'string' },
      only: { type: 'string' },
      filter: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) {
    console.log(USAGE)
    return 0
  }
  if (values.render !== undefined) {
    process.stdout.write(formatMarkdown(readJson(values.render)))
    return 0
  }
  const only = values.only?.split(',').map((id) => id.trim())
  const unknown = only?.filter((id) => !SCENARIOS.some((s) => s.id === id)) ?? []
  if (unknown.length > 0) {
    console.error(`unknown scenario ${unknown.join(', ')}\n${USAGE}`)
    return 2
  }
  const quick = values.quick
  const selected = SCENARIOS.filter((s) => only === undefined || only.includes(s.id))

  const m = machine()
  console.log(machineLine(m))
  console.log(`# mode: ${quick ? 'quick (1 op per contender; figures meaningless)' : 'full'}`)
  console.log(LEGEND)

  const scenarios: ScenarioResult[] = []
  let failures = 0
  for (const scenario of selected) {
    console.log(`\n━━ ${scenario.title} ━━`)
    const cases: CaseResult[] = []
    for (const fullCase of await scenario.cases({ quick })) {
      const filters = values.filter?.toLowerCase().split(',')
      const picked = (name: string): boolean => filters === undefined || filters.some((f) => name.toLowerCase().includes(f.trim()))
      const testCase = { ...fullCase, contenders: fullCase.contenders.filter((c) => picked(c.name)) }
      if (testCase.contenders.length === 0) continue
      const result = await measureCase(testCase, quick)
      cases.push(result)
      failures += result.rows.filter((row) => row.status === 'failed').length
      console.log(`\n${formatCase(result)}`)
    }
    scenarios.push({ id: scenario.id, title: scenario.title, cases })
  }

  if (values.json !== undefined) {
    writeJson(values.json, { machine: m, quick, scenarios })
    console.log(`\nwrote ${values.json}`)
  }
  if (values.markdown !== undefined) {
    writeFileSync(values.markdown, formatMarkdown({ machine: m, quick, scenarios }))
    console.log(`wrote ${values.markdown}`)
  }
  if (failures > 0) console.error(`\n${failures} contender(s) FAILED (see the notes above)`)
  return failures > 0 ? 1 : 0
}

process.exitCode = await main()
