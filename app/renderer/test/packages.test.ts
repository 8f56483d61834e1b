// The packages store on the real kernel: what it refuses before sending anything, and what the host's
// refusal looks like (this host keeps no packages, so it answers UNAVAILABLE), with nothing left pending.
import { describe, expect, it } from 'vitest'
import { MAX_PACKAGE_BYTES, usePackagesStore } from '../src/stores/packages'
import { rendererOnHost } from './host'

describe('the packages store', () => {
  it('refuses a file that is not an npm pack tarball, or too large, without asking the host', async () => {
    const { t } = await rendererOnHost()
    const packages = usePackagesStore()
    const before = t.bridge.stats.invokes
    expect(await packages.inspectFile(new File(['{}'], 'package.json'))).toBe(false)
    expect(packages.error).toMatchObject({ code: 'INVALID_PARAMS', message: expect.stringContaining('package.json') })
    const huge = new File([new Uint8Array(8)], 'huge.tgz')
    Object.defineProperty(huge, 'size', { value: MAX_PACKAGE_BYTES + 1 })
    expect(await packages.inspectFile(huge)).toBe(false)
    expect(packages.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' })
    expect(t.bridge.stats.invokes).toBe(before)
    expect(packages.pending).toBeNull()
  })

  it('sends a .tgz as bytes and shows the host’s refusal', async () => {
    await rendererOnHost()
    const packages = usePackagesStore()
    expect(packages.canInstall).toBe(true)
    expect(await packages.inspectFile(new File([new Uint8Array([31, 139, 8, 0])], 'notes-1.0.0.tgz'))).toBe(false)
    expect(packages.error).toMatchObject({ code: 'UNAVAILABLE' })
    expect(packages.pending).toBeNull()
    expect(packages.busy).toBeNull()
  })
})
