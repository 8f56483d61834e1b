// @vitest-environment jsdom
import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import PluginCard from '../src/views/settings/PluginCard.vue'

const failed = {
  id: 'notes',
  version: '1.2.0',
  description: 'Notes',
  state: 'failed' as const,
  error: { message: 'setup threw: no disk', code: 'INTERNAL' },
  required: false,
  hasSettings: false,
  dependencies: ['storage'],
  dependents: [],
  procedures: [],
  events: [],
}

describe('a plugin card in Settings', () => {
  it('shows a failed plugin with its error, what it needs, and a switch that is still on', () => {
    const wrapper = mount(PluginCard, { props: { plugin: failed, on: true, busy: false, disabled: false } })
    expect(wrapper.attributes('data-state')).toBe('failed')
    expect(wrapper.find('[data-testid="plugin-error"]').text()).toBe('INTERNAL setup threw: no disk')
    expect(wrapper.find('.relations').text()).toContain('storage')
    expect((wrapper.find('input[role="switch"]').element as HTMLInputElement).checked).toBe(true)
  })

  it('asks to toggle without flipping itself (the host decides)', async () => {
    const wrapper = mount(PluginCard, { props: { plugin: failed, on: true, busy: false, disabled: false } })
    const input = wrapper.find('input[role="switch"]')
    await input.setValue(false)
    expect(wrapper.emitted('toggle')).toEqual([[false]])
    expect((input.element as HTMLInputElement).checked).toBe(true)
  })
})
