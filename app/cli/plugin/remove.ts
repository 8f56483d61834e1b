/** `npx atomiton plugin remove <id> --data-dir <dir> [--delete-data]` */
import { resolve } from 'node:path'
import type { CliIo } from '../command'
import { offlinePackages } from '../offline-packages'
import { describeRefusal } from './refusal'
import { syncRunningApp } from './running-app'

export async function removePackage(options: { readonly id: string; readonly dataDir: string; readonly deleteData: boolean }, io: CliIo): Promise<number> {
  const packages = offlinePackages(resolve(io.cwd, options.dataDir))
  try {
    const result = await packages.uninstall({ id: options.id, deleteData: options.deleteData })
    io.stdout.write(`Removed ${result.id}; ${result.dataDeleted ? 'its stored data was deleted' : 'its stored data was kept (--delete-data deletes it)'}.\n`)
    const live = await syncRunningApp(packages.pluginsDir, result.id)
    if (live?.ok === true) io.stdout.write(`The running app unloaded ${result.id}.\n`)
    else if (live !== undefined) io.stdout.write(`The running app could not unload it (${live.message ?? 'no reason given'}); it is gone at the app's next start.\n`)
    return 0
  } catch (error) {
    io.stderr.write(`${describeRefusal(error)}\n`)
    return 1
  }
}
