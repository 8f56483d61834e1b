/** `npx atomiton plugin install <folder|file.tgz> --data-dir <dir> [--yes]` */
import { readFile, stat } from 'node:fs/promises'
import { createInterface } from 'node:readline/promises'
import { resolve } from 'node:path'
import type { CliIo } from '../command'
import { offlinePackages } from '../offline-packages'
import { describeRefusal } from './refusal'
import { syncRunningApp } from './running-app'

export interface InstallOptions {
  readonly source: string
  readonly dataDir: string
  readonly yes: boolean
}

async function ask(question: string, io: CliIo): Promise<boolean> {
  const prompt = createInterface({ input: io.stdin, output: io.stdout, terminal: false })
  try {
    io.stdout.write(question)
    const answer = await new Promise<string | undefined>((done) => {
      prompt.once('line', done)
      prompt.once('close', () => done(undefined))
    })
    return /^y(es)?$/i.test(answer?.trim() ?? '')
  } finally {
    prompt.close()
  }
}

export async function installPackage(options: InstallOptions, io: CliIo): Promise<number> {
  const packages = offlinePackages(resolve(io.cwd, options.dataDir))
  const path = resolve(io.cwd, options.source)
  const stats = await stat(path).catch(() => undefined)
  if (!stats) {
    io.stderr.write(`No such file or folder: ${path}\n`)
    return 1
  }
  try {
    const inspection = await packages.inspect(stats.isDirectory() ? { folder: path } : { archive: new Uint8Array(await readFile(path)) })
    const { id, name, version, permissions, current } = inspection
    io.stdout.write(`${name}@${version}: plugin "${id}"${current ? `, upgrading ${current.version}` : ''}\n`)
    io.stdout.write(permissions.length === 0 ? 'It requests no permissions.\n' : `It requests these permissions:\n${permissions.map((p) => `  - ${p}`).join('\n')}\n`)
    if (inspection.addedPermissions.length > 0) io.stdout.write(`New since ${current!.version}: ${inspection.addedPermissions.join(', ')}\n`)
    if (inspection.removedPermissions.length > 0) io.stdout.write(`No longer requested: ${inspection.removedPermissions.join(', ')}\n`)
    if (!options.yes && !(await ask(`Install ${id} ${version}${permissions.length > 0 ? ' and grant these permissions' : ''}? [y/N] `, io))) {
      await packages.discard(inspection.stagingId)
      io.stdout.write('Not installed.\n')
      return 1
    }
    const result = await packages.install({ stagingId: inspection.stagingId, approvedPermissions: permissions })
    io.stdout.write(`Installed ${result.id} ${result.version}${result.upgradedFrom ? ` (was ${result.upgradedFrom})` : ''} in ${packages.pluginsDir}/${result.id}\n`)
    const live = await syncRunningApp(packages.pluginsDir, result.id)
    if (live === undefined) io.stdout.write('No app is running on this data folder: it loads when one starts.\n')
    else if (live.ok) io.stdout.write(`The running app loaded ${result.id} ${live.version ?? ''}.\n`)
    else io.stdout.write(`The running app did not load it (${live.message ?? 'no reason given'}); it loads at the app's next start.\n`)
    return 0
  } catch (error) {
    io.stderr.write(`${describeRefusal(error)}\n`)
    return 1
  }
}
