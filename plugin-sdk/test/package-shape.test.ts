import { readFile } from 'node:fs/promises'
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
    for (const file of files) await expect(readFile(new URL(`../${file}`, import.meta.url)), `${entry} -> ${file}`).resolves.toBeDefined()
  }
  expect(Object.keys(manifest.exports)).toEqual(expect.arrayContaining(['.', './testing', './vitest']))
})
