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
  origin: 'builtin' as const,
  permissions: [],
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

  it('shows an isolated plugin\'s process: state, pid, memory, restarts and last error; a built-in shows none', () => {
    const isolated = {
      ...failed,
      origin: 'installed' as const,
      state: 'active' as const,
      error: undefined,
      process: { state: 'running' as const, pid: 4242, memoryBytes: 75 * 1024 * 1024, restarts: 1, lastError: 'Its process exited with code 7' },
    }
    const line = mount(PluginCard, { props: { plugin: isolated, on: true, busy: false, disabled: false, removable: true } }).find('[data-testid="plugin-process"]')
    expect(line.attributes('data-process-state')).toBe('running')
    expect(line.find('[data-testid="process-pid"]').text()).toBe('4242')
    expect(line.text()).toContain('75.0 MB')
    expect(line.find('[data-testid="process-restarts"]').text()).toBe('1 restart')
    expect(line.find('[data-testid="process-last-error"]').text()).toContain('exited with code 7')
    expect(mount(PluginCard, { props: { plugin: failed, on: true, busy: false, disabled: false } }).find('[data-testid="plugin-process"]').exists()).toBe(false)
  })
})
