/**
 * `npx atomiton <command> [...]`: the command line of Atomiton, built to `out/cli/atomiton.js` (plain ESM for
 * Node 20, see vite.config.ts) and run by `bin/atomiton.mjs`, which builds it on first use (and again when
 * its sources changed) and hands it the process's arguments and streams.
 * Exit codes: 0 done, 1 refused or failed, 2 bad command line.
 */
import { commands } from './commands'
import { UsageError, type CliIo } from './command'

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length))
  const lines = Object.entries(commands).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`)
  return `Usage: npx atomiton <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun \`npx atomiton <command> --help\` for a command's options.\n`
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage())
    return name === undefined ? 2 : 0
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined
  if (!command) {
    io.stderr.write(`Unknown command "${name}".\n\n${usage()}`)
    return 2
  }
  try {
    return await command.run(rest, io)
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`${error.message}\n\n${command.usage}`)
      return 2
    }
    io.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
    return 1
  }
}
