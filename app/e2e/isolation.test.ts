// An installed package in its own process, as the Settings view shows it: its process state, pid and
// restarts; after its process exits, the card shows it failed with the reason, then running again with one
// restart, while the rest of the app keeps working.
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { pluginProcessEntry } from '@atomiton/plugin-sdk/testing'
import { temporaryFolder, writePackage } from '../test-support/plugin-packages'
import { clientOf } from './support/client'
import { useSession } from './support/session'
import { openView, pollAttribute, pollText } from './support/ui'

const session = useSession({ pluginProcess: { entry: await pluginProcessEntry() } })

const processLine = (page: Page) => page.locator('.plugin-card[data-plugin="crashy"] [data-testid="plugin-process"]')

describe('an isolated plugin in the Settings view', { timeout: 120_000 }, () => {
  it('shows its process, and its failure and restart when the process exits', async () => {
    const folder = await writePackage(await temporaryFolder(), {
      id: 'crashy',
      defaultExport: `definePlugin({ id: 'crashy', version: '1.0.0', procedures: (p) => ({
        exit: p.procedure({ expose: true, handler: () => process.exit(7) }),
      }) })`,
    })
    const connection = await clientOf(session.server)
    const client = connection.client as unknown as {
      system: {
        inspectPackage(input: { folder: string }): Promise<{ stagingId: string }>
        installPlugin(input: { stagingId: string; approvedPermissions: string[] }): Promise<unknown>
      }
      crashy: { exit(): Promise<unknown> }
    }
    const { stagingId } = await client.system.inspectPackage({ folder })
    await client.system.installPlugin({ stagingId, approvedPermissions: [] })

    const { page } = await session.open()
    await openView(page, 'settings')
    await pollAttribute(page, '.plugin-card[data-plugin="crashy"] [data-testid="plugin-process"]', 'data-process-state').toBe('running')
    const pid = Number(await processLine(page).locator('[data-testid="process-pid"]').textContent())
    expect(pid).toBeGreaterThan(0)
    await pollText(page, '.plugin-card[data-plugin="crashy"] [data-testid="process-restarts"]').toBe('0 restarts')

    await expect(client.crashy.exit()).rejects.toMatchObject({ code: 'UNAVAILABLE' })
    await pollText(page, '.plugin-card[data-plugin="crashy"] [data-testid="process-restarts"]').toBe('1 restart')
    await pollAttribute(page, '.plugin-card[data-plugin="crashy"]', 'data-state').toBe('active')
    await pollText(page, '.plugin-card[data-plugin="crashy"] [data-testid="process-last-error"]').toContain('exited with code 7')
    expect(Number(await processLine(page).locator('[data-testid="process-pid"]').textContent())).not.toBe(pid)
    connection.close()
  })
})
