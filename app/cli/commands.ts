/**
 * The dispatcher table of `npx atomiton`: command name -> module. Add a command by writing
 * `app/cli/commands/<name>.ts` (a `Command`) and one line here.
 */
import type { Command } from './command'
import { pluginCommand } from './commands/plugin'
import { typesCommand } from './commands/types'

export const commands: Readonly<Record<string, Command>> = {
  plugin: pluginCommand,
  types: typesCommand,
}
