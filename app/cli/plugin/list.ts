/** `npx atomiton plugin list --data-dir <dir>` */
import { resolve } from 'node:path'
import type { CliIo } from '../command'
import { offlinePackages } from '../offline-packages'

export async function listPackages(options: { readonly dataDir: string }, io: CliIo): Promise<number> {
  const packages = offlinePackages(resolve(io.cwd, options.dataDir))
  const installed = await packages.installed()
  if (installed.length === 0) {
    io.stdout.write(`No plugin package is installed in ${packages.pluginsDir}\n`)
    return 0
  }
  for (const { id, folder, manifest, error } of installed) {
    if (!manifest) {
      io.stdout.write(`${id}  (cannot be loaded: ${error?.message ?? 'unknown'})\n  folder: ${folder}\n`)
      continue
    }
    io.stdout.write(`${id} ${manifest.version}  ${manifest.name}${manifest.description ? ` - ${manifest.description}` : ''}\n`)
    io.stdout.write(`  folder: ${folder}\n  permissions: ${manifest.permissions.length > 0 ? manifest.permissions.join(', ') : '(none)'}\n`)
  }
  return 0
}
