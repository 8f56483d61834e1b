// @vitest-environment jsdom
// A plugin's settings form in the Settings view, on the real host: rendered from the plugin's schema,
// refused values shown at their fields (tied to the inputs for assistive technology), saved values applied
// to the running plugin, and the notice when saved values no longer fit.
import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { definePlugin } from '@atomiton/plugin-sdk'
import PluginSettingsForm from '../src/views/settings/PluginSettingsForm.vue'
import { rendererOnHost } from './host'

function greeter() {
  const heard: unknown[] = []
  const plugin = definePlugin({
    id: 'greeter',
    version: '1.0.0',
    settings: z.object({
      greeting: z.string().max(12).default('Hello').describe('What to say first'),
      times: z.number().int().min(1).max(5).default(1),
      loud: z.boolean().default(false),
    }),
    procedures: (p) => ({ greet: p.procedure({ expose: true, handler: (_input, ctx) => ctx.settings.get() }) }),
    setup(ctx) {
      ctx.settings.onChange((values) => heard.push(values))
    },
  })
  return { plugin, heard }
}

async function mountForm(before?: (host: Awaited<ReturnType<typeof rendererOnHost>>['t']['host']) => void) {
  const greet = greeter()
  const { t, pinia } = await rendererOnHost([greet.plugin])
  before?.(t.host)
  const wrapper = mount(PluginSettingsForm, { props: { pluginId: 'greeter' }, global: { plugins: [pinia] }, attachTo: document.body })
  await expect.poll(() => wrapper.findAll('.control').length).toBe(3)
  return { t, wrapper, greet }
}

const inputOf = (wrapper: Awaited<ReturnType<typeof mountForm>>['wrapper'], label: string) =>
  wrapper.findAll('.control').find((control) => control.find('label').text().startsWith(label))!.find('input')

describe('a plugin’s settings form', () => {
  it('renders the schema with the saved values, labelled fields, and saves valid edits the plugin hears of', async () => {
    const { t, wrapper, greet } = await mountForm()
    const greeting = inputOf(wrapper, 'Greeting')
    expect((greeting.element as HTMLInputElement).value).toBe('Hello')
    // Every input has a label that points at it.
    for (const input of wrapper.findAll('input')) expect(wrapper.find(`label[for="${input.attributes('id')}"]`).exists()).toBe(true)

    await greeting.setValue('Bonjour')
    await inputOf(wrapper, 'Times').setValue('3')
    await wrapper.find('form').trigger('submit')
    await expect.poll(() => wrapper.find('[data-testid="settings-saved"]').exists()).toBe(true)
    await expect(t.host.call('greeter.greet')).resolves.toEqual({ greeting: 'Bonjour', times: 3, loud: false })
    expect(greet.heard).toEqual([{ greeting: 'Bonjour', times: 3, loud: false }])
    wrapper.unmount()
  })

  it('shows the host’s refusal at each field, marked invalid and described by its message, and saves nothing', async () => {
    const { t, wrapper } = await mountForm()
    await inputOf(wrapper, 'Greeting').setValue('Good morning, everyone')
    await inputOf(wrapper, 'Times').setValue('9')
    await wrapper.find('form').trigger('submit')
    await expect.poll(() => wrapper.findAll('.control .error').length).toBe(2)
    for (const label of ['Greeting', 'Times']) {
      const input = inputOf(wrapper, label)
      expect(input.attributes('aria-invalid')).toBe('true')
      const message = document.getElementById(input.attributes('aria-describedby')!)
      expect(message?.classList.contains('error')).toBe(true)
      expect(message?.textContent?.trim()).not.toBe('')
    }
    expect(inputOf(wrapper, 'Loud').attributes('aria-invalid')).toBeUndefined()
    expect(wrapper.find('[data-testid="error"]').attributes('data-code')).toBe('INVALID_PARAMS')
    await expect(t.host.call('greeter.greet')).resolves.toMatchObject({ greeting: 'Hello', times: 1 })

    // Fixed, the errors go away with the save.
    await inputOf(wrapper, 'Greeting').setValue('Hi')
    await inputOf(wrapper, 'Times').setValue('2')
    await wrapper.find('form').trigger('submit')
    await expect.poll(() => wrapper.findAll('.control .error').length).toBe(0)
    expect(inputOf(wrapper, 'Times').attributes('aria-invalid')).toBeUndefined()
    await expect(t.host.call('greeter.greet')).resolves.toMatchObject({ greeting: 'Hi', times: 2 })
    wrapper.unmount()
  })

  it('follows a save made elsewhere while it is not being edited', async () => {
    const { t, wrapper } = await mountForm()
    await t.host.call('system.setPluginSettings', { id: 'greeter', values: { greeting: 'Salut' } })
    await expect.poll(() => (inputOf(wrapper, 'Greeting').element as HTMLInputElement).value).toBe('Salut')
    wrapper.unmount()
  })

  it('shows the notice when the saved values no longer fit, and clears it once saved', async () => {
    // What an older version left behind: a saved entry this schema no longer accepts.
    const { t, wrapper } = await mountForm((host) => host.container.cradle.stores.open('plugin-settings').set('greeter', { greeting: 'Hey', times: 'many' }))
    const notice = wrapper.find('[data-testid="settings-notice"]')
    expect(notice.attributes('role')).toBe('status')
    expect(notice.text()).toMatch(/no longer fit.*times.*defaults are in use/)
    expect((inputOf(wrapper, 'Greeting').element as HTMLInputElement).value).toBe('Hello')
    await wrapper.find('form').trigger('submit')
    await expect.poll(() => wrapper.find('[data-testid="settings-notice"]').exists()).toBe(false)
    await expect(t.host.call('system.getPluginSettings', { id: 'greeter' })).resolves.not.toHaveProperty('notice')
    wrapper.unmount()
  })
})
