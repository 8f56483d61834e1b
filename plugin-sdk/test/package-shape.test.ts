import { readdir, readFile } from 'node:fs/promises'
import { expect, it } from 'vitest'
import { PLUGIN_API_VERSION } from '@atomiton/plugin-sdk'

const manifest = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string
  exports: Record<string, unknown>
}

it('is versioned as the plugin API it implements, so a package’s peer range and its atomiton.api range agree', () => {
  expect(manifest.version).toBe(PLUGIN_API_VERSION)
})

it('exports every entry point a plugin package uses, each file present', async () => {
  for (const [entry, target] of Object.entries(manifest.exports)) {
    const files = typeof target === 'string' ? [target] : Object.values(target as Record<string, string>)
    for (const file of files) {
      if (!file.includes('*')) {
        await expect(readFile(new URL(`../${file}`, import.meta.url)), `${entry} -> ${file}`).resolves.toBeDefined()
        continue
      }
      // A pattern (`./contracts/*` -> `./src/contracts/*.ts`): it matches files of that folder.
      const [folder, suffix] = [file.slice(0, file.lastIndexOf('/') + 1), file.slice(file.indexOf('*') + 1)]
      const matching = (await readdir(new URL(`../${folder}`, import.meta.url))).filter((name) => name.endsWith(suffix))
      expect(matching.length, `${entry} -> ${file}`).toBeGreaterThan(0)
    }
  }
  expect(Object.keys(manifest.exports)).toEqual(expect.arrayContaining(['.', './contracts', './contracts/*', './testing', './vitest']))
})
