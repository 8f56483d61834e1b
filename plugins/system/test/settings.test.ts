// Per-plugin settings end to end on the real host: a plugin declares a schema, reads typed values in setup
// and handlers, hears of saves without a restart; the host validates, persists (real files) and survives
// stored values that no longer fit after an upgrade.
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { definePlugin } from '@atomiton/plugin-sdk'
import { createStoreFolder, createTestHost } from '@atomiton/plugin-sdk/testing'
import { systemPlugin } from '../index'

/** A plugin that reads its settings in setup, in a handler, and records every change it hears of. */
function mailPlugin(version = '1.0.0', retries: z.ZodType<unknown> = z.number().int().min(0).max(10).default(3)) {
  const heard: unknown[] = []
  const atSetup: unknown[] = []
  const plugin = definePlugin({
    id: 'mail',
    version,
    settings: z.object({
      retries: retries as z.ZodDefault<z.ZodNumber>,
      sender: z.object({ name: z.string().min(1).default('Atomiton'), address: z.email().default('app@example.com') }).default({ name: 'Atomiton', address: 'app@example.com' }),
      mode: z.enum(['fast', 'safe']).default('safe'),
    }),
    procedures: (p) => ({
      current: p.procedure({ expose: true, handler: (_input, ctx) => ctx.settings.get() }),
    }),
    setup(ctx) {
      atSetup.push(ctx.settings.get())
      ctx.settings.onChange((values) => heard.push(values))
    },
  })
  return { plugin, heard, atSetup }
}

const plain = definePlugin({ id: 'plain', version: '1.0.0', procedures: (p) => ({ ping: p.procedure({ expose: true, handler: () => 'pong' }) }) })

const DEFAULTS = { retries: 3, sender: { name: 'Atomiton', address: 'app@example.com' }, mode: 'safe' }

describe('per-plugin settings', () => {
  it('gives a plugin its defaults before anything was saved, and describes them for a form', async () => {
    const mail = mailPlugin()
    const { client } = await createTestHost({ plugins: [systemPlugin, mail.plugin, plain] })
    expect(mail.atSetup).toEqual([DEFAULTS])
    await expect(client.mail.current()).resolves.toEqual(DEFAULTS)
    const described = await client.system.getPluginSettings({ id: 'mail' })
    expect(described).toMatchObject({ id: 'mail', values: DEFAULTS, defaults: DEFAULTS })
    expect(described.notice).toBeUndefined()
    // The input side of the schema: fields with defaults are optional, as a form expects.
    expect(described.schema).toMatchObject({ type: 'object', properties: { retries: { type: 'integer', default: 3 }, mode: { enum: ['fast', 'safe'] } } })
    expect(described.schema['required']).toBeUndefined()
    const listed = (await client.system.listPlugins()).plugins
    expect(Object.fromEntries(listed.map((p) => [p.id, p.hasSettings]))).toMatchObject({ mail: true, plain: false, system: false })
  })

  it('saves valid values, which the plugin reads at once and hears of, and announces the change', async () => {
    const mail = mailPlugin()
    const { client } = await createTestHost({ plugins: [systemPlugin, mail.plugin] })
    const announced: unknown[] = []
    await client.$on('system.pluginSettingsChanged', (change) => announced.push(change)).ready
    const saved = await client.system.setPluginSettings({ id: 'mail', values: { retries: 5, mode: 'fast' } })
    const expected = { ...DEFAULTS, retries: 5, mode: 'fast' }
    expect(saved).toEqual({ id: 'mail', values: expected })
    await expect(client.mail.current()).resolves.toEqual(expected)
    expect(mail.heard).toEqual([expected])
    await expect.poll(() => announced).toEqual([{ id: 'mail' }])
    await expect(client.system.getPluginSettings({ id: 'mail' })).resolves.toMatchObject({ values: expected, defaults: DEFAULTS })
  })

  it('refuses invalid values with each issue at its path, and keeps the previous values', async () => {
    const mail = mailPlugin()
    const { client } = await createTestHost({ plugins: [systemPlugin, mail.plugin] })
    await client.system.setPluginSettings({ id: 'mail', values: { retries: 7 } })
    const error = await client.system
      .setPluginSettings({ id: 'mail', values: { retries: 11, sender: { name: '', address: 'not mail' }, mode: 'slow' } })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'INVALID_PARAMS' })
    const paths = (error as { data: { issues: { path: unknown[] }[] } }).data.issues.map((issue) => issue.path)
    expect(paths).toEqual(
      expect.arrayContaining([['values', 'retries'], ['values', 'sender', 'name'], ['values', 'sender', 'address'], ['values', 'mode']]),
    )
    expect(paths).toHaveLength(4)
    for (const values of [null, 'retries=3', 42, [], { retries: '3' }]) {
      await expect(client.system.setPluginSettings({ id: 'mail', values })).rejects.toMatchObject({ code: 'INVALID_PARAMS' })
    }
    await expect(client.mail.current()).resolves.toMatchObject({ retries: 7 })
    expect(mail.heard).toHaveLength(1)
  })

  it('refuses values that are not plain data (a Proxy, a throwing getter) in process, and keeps serving', async () => {
    const mail = mailPlugin()
    const { host, client } = await createTestHost({ plugins: [systemPlugin, mail.plugin] })
    const throwing = {
      get retries(): number {
        throw new Error('boom')
      },
    }
    const proxy = new Proxy({ retries: 4 }, {})
    for (const values of [throwing, proxy, { retries: 4, callback: () => 1 }]) {
      await expect(host.call('system.setPluginSettings', { id: 'mail', values })).rejects.toMatchObject({ code: 'INVALID_PARAMS' })
    }
    await expect(client.mail.current()).resolves.toEqual(DEFAULTS)
    await expect(client.system.setPluginSettings({ id: 'mail', values: { retries: 4 } })).resolves.toMatchObject({ values: { retries: 4 } })
  })

  it('answers NOT_FOUND for an unknown plugin or one without settings, and INVALID_PARAMS for a malformed id', async () => {
    const { client } = await createTestHost({ plugins: [systemPlugin, plain] })
    await expect(client.system.getPluginSettings({ id: 'nothere' })).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'No plugin "nothere"' })
    await expect(client.system.getPluginSettings({ id: 'plain' })).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'Plugin "plain" has no settings' })
    await expect(client.system.setPluginSettings({ id: 'plain', values: {} })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(client.system.getPluginSettings({ id: '__proto__' })).rejects.toMatchObject({ code: 'INVALID_PARAMS' })
    await expect(client.system.getPluginSettings({ id: 'constructor' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('needs system.admin to save, and system.read to read', async () => {
    const mail = mailPlugin()
    const t = await createTestHost({ plugins: [systemPlugin, mail.plugin], grants: ['system.read'] })
    await expect(t.client.system.getPluginSettings({ id: 'mail' })).resolves.toMatchObject({ id: 'mail' })
    await expect(t.client.system.setPluginSettings({ id: 'mail', values: { retries: 1 } })).rejects.toMatchObject({ code: 'FORBIDDEN' })
    const none = t.connect({ grants: [] })
    await expect(none.client.system.getPluginSettings({ id: 'mail' })).rejects.toMatchObject({ code: 'FORBIDDEN' })
  })

  it('keeps the saved values across a restart, on real files', async () => {
    const folder = await createStoreFolder()
    const first = await createTestHost({ plugins: [systemPlugin, mailPlugin().plugin], stores: folder.stores() })
    await first.client.system.setPluginSettings({ id: 'mail', values: { retries: 9, sender: { name: 'Ada', address: 'ada@example.com' } } })
    await first.dispose()
    expect(folder.read('plugin-settings')).toContain('ada@example.com')

    const mail = mailPlugin()
    const second = await createTestHost({ plugins: [systemPlugin, mail.plugin], stores: folder.stores() })
    const expected = { retries: 9, sender: { name: 'Ada', address: 'ada@example.com' }, mode: 'safe' }
    expect(mail.atSetup).toEqual([expected])
    await expect(second.client.mail.current()).resolves.toEqual(expected)
  })

  it('falls back to the defaults with a notice when the saved values no longer fit (an upgrade), until the next save', async () => {
    const folder = await createStoreFolder()
    const first = await createTestHost({ plugins: [systemPlugin, mailPlugin('1.0.0').plugin], stores: folder.stores() })
    await first.client.system.setPluginSettings({ id: 'mail', values: { retries: 9 } })
    await first.dispose()

    // Version 2 allows at most 5 retries: the saved 9 no longer fits.
    const upgraded = mailPlugin('2.0.0', z.number().int().min(0).max(5).default(2))
    const second = await createTestHost({ plugins: [systemPlugin, upgraded.plugin], stores: folder.stores() })
    const v2Defaults = { ...DEFAULTS, retries: 2 }
    expect(upgraded.atSetup).toEqual([v2Defaults])
    const described = await second.client.system.getPluginSettings({ id: 'mail' })
    expect(described.values).toEqual(v2Defaults)
    expect(described.notice).toMatch(/no longer fit.*"mail".*retries.*defaults are in use/)
    // Nothing is lost before the person decides: the old entry stays on disk until a save.
    expect(JSON.parse(folder.read('plugin-settings')!)).toHaveProperty('mail')
    expect(folder.read('plugin-settings')).toContain('9')
    await second.client.system.setPluginSettings({ id: 'mail', values: { retries: 4 } })
    const after = await second.client.system.getPluginSettings({ id: 'mail' })
    expect(after.notice).toBeUndefined()
    expect(after.values).toMatchObject({ retries: 4 })
    expect(second.logs.some((entry) => entry['msg'] === 'Stored plugin settings do not fit the schema; using the defaults')).toBe(true)
  })

  it('removes a disabled plugin’s change listener, and reads the saved values when it is enabled again', async () => {
    const mail = mailPlugin()
    const { host, client } = await createTestHost({ plugins: [systemPlugin, mail.plugin] })
    const settings = host.container.cradle.pluginSettings
    expect(settings.listenerCount('mail')).toBe(1)
    await client.system.disablePlugin({ id: 'mail' })
    expect(settings.listenerCount('mail')).toBe(0)
    await client.system.setPluginSettings({ id: 'mail', values: { mode: 'fast' } })
    expect(mail.heard).toEqual([])
    await client.system.enablePlugin({ id: 'mail' })
    expect(mail.atSetup.at(-1)).toMatchObject({ mode: 'fast' })
    await client.system.setPluginSettings({ id: 'mail', values: { mode: 'safe' } })
    expect(mail.heard).toEqual([expect.objectContaining({ mode: 'safe' })])
  })

  it('keeps saving and telling the others when one listener throws', async () => {
    let heard = 0
    const touchy = definePlugin({
      id: 'touchy',
      version: '1.0.0',
      settings: z.object({ level: z.number().default(1) }),
      setup(ctx) {
        ctx.settings.onChange(() => {
          throw new Error('listener broke')
        })
        ctx.settings.onChange(() => void heard++)
      },
    })
    const { client, logs } = await createTestHost({ plugins: [systemPlugin, touchy] })
    await expect(client.system.setPluginSettings({ id: 'touchy', values: { level: 2 } })).resolves.toEqual({ id: 'touchy', values: { level: 2 } })
    expect(heard).toBe(1)
    expect(logs.some((entry) => entry['msg'] === 'A settings listener failed')).toBe(true)
  })

  it('gives the plugin frozen values it cannot change behind the host’s back', async () => {
    let seen: { sender: { name: string } } | undefined
    const reader = definePlugin({
      id: 'reader',
      version: '1.0.0',
      settings: z.object({ sender: z.object({ name: z.string().default('A') }).default({ name: 'A' }) }),
      setup(ctx) {
        seen = ctx.settings.get() as typeof seen
      },
    })
    await createTestHost({ plugins: [systemPlugin, reader] })
    expect(() => {
      seen!.sender.name = 'B'
    }).toThrow(TypeError)
  })
})

describe('settings schemas are checked when the plugin is defined', () => {
  it('refuses a field without a default, naming it', () => {
    expect(() => definePlugin({ id: 'bad', version: '1.0.0', settings: z.object({ token: z.string(), port: z.number().default(1) }) })).toThrow(
      /"bad": every settings field needs a \.default\(\); missing or invalid for token/,
    )
  })

  it('refuses a schema that is not an object, or not zod at all', () => {
    for (const settings of [z.string().default('x'), { retries: 3 }, null, 'z.object']) {
      expect(() => definePlugin({ id: 'bad', version: '1.0.0', settings: settings as never })).toThrow(/settings must be a zod object schema/)
    }
  })

  it('refuses a schema JSON Schema cannot express (the Settings view renders a form from it)', () => {
    expect(() => definePlugin({ id: 'bad', version: '1.0.0', settings: z.object({ since: z.date().default(new Date(0)) }) })).toThrow(
      /plain data JSON Schema can express/,
    )
  })
})
