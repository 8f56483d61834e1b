// The browser lookup behind the end-to-end tests: an explicit CHROMIUM_PATH, a system browser, and the
// bundled Chromium that a machine without any browser gets (really unpacked and started here).
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { CHROMIUM_ARGS, findChromium, systemCandidates } from './find-chromium'

const dir = mkdtempSync(join(tmpdir(), 'find-chromium-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('findChromium', () => {
  it('takes CHROMIUM_PATH as it is, and refuses one that is not an executable', async () => {
    const fake = join(dir, 'my-chrome')
    writeFileSync(fake, '#!/bin/sh\n')
    await expect(findChromium({ CHROMIUM_PATH: fake })).rejects.toThrow(/CHROMIUM_PATH.*not an executable/)
    chmodSync(fake, 0o755)
    await expect(findChromium({ CHROMIUM_PATH: fake })).resolves.toMatchObject({ executablePath: fake, source: 'CHROMIUM_PATH' })
  })

  it('looks on PATH for the usual Chrome and Chromium names', () => {
    const candidates = systemCandidates('linux', { PATH: `${dir}:/opt/elsewhere` })
    expect(candidates).toContain(join(dir, 'chromium'))
    expect(candidates).toContain(join('/opt/elsewhere', 'google-chrome'))
    expect(systemCandidates('darwin', {})).toContain('/Applications/Google Chrome.app/Contents/MacOS/Google Chrome')
  })

  it.runIf(process.platform === 'linux' && process.arch === 'x64')(
    'without a system browser, unpacks the bundled Chromium, which starts, with no flag that weakens web security',
    { timeout: 60_000 },
    async () => {
      const found = await findChromium({ ATOMITON_BUNDLED_CHROMIUM: '1', PATH: '' })
      expect(found.source).toBe('bundled')
      expect(found.executablePath).toContain(join('node_modules', '.cache', 'atomiton-chromium'))
      const version = spawnSync(found.executablePath, ['--version'], { env: { ...process.env, ...found.env }, encoding: 'utf8' })
      expect(version.stdout).toMatch(/^Chromium \d+/)
      expect(found.args).toEqual(expect.arrayContaining([...CHROMIUM_ARGS]))
      for (const unsafe of ['--disable-web-security', '--allow-running-insecure-content', '--single-process']) expect(found.args).not.toContain(unsafe)
    },
  )
})
