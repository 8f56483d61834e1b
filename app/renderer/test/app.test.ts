// @vitest-environment jsdom
// The whole renderer (App.vue and its views) mounted on the real kernel: navigation, a node run from
// the generated form, and a view that follows its plugin being disabled.
import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import App from '../src/App.vue'
import { useNavigationStore } from '../src/stores/navigation'
import { rendererOnHost } from './host'

async function mountApp() {
  const { t, pinia } = await rendererOnHost()
  const wrapper = mount(App, { global: { plugins: [pinia] }, attachTo: document.body })
  await flushPromises()
  return { t, wrapper }
}

describe('the renderer', () => {
  it('shows the System view with health first, and a sidebar entry per view', async () => {
    const { wrapper } = await mountApp()
    await vi.waitFor(() => expect(wrapper.find('[data-testid="health"]').exists()).toBe(true))
    expect(wrapper.findAll('.nav-item').map((item) => item.text())).toEqual(['System', 'Nodes', 'Workflows', 'Storage', 'API Explorer', 'Settings'])
    expect(wrapper.find('[data-testid="health"]').text()).toContain('workflow')
    wrapper.unmount()
  })

  it('runs a node from its form and shows the outputs', async () => {
    const { wrapper } = await mountApp()
    await wrapper.find('.nav-item[data-view="nodes"]').trigger('click')
    await vi.waitFor(() => expect(wrapper.find('[data-type="math.arithmetic"]').exists()).toBe(true))
    await wrapper.find('[data-type="math.arithmetic"]').trigger('click')
    await flushPromises()

    const form = wrapper.find('[data-testid="node-form"]')
    await form.find('select').setValue('"multiply"')
    const [a, b] = form.findAll('input')
    await a!.setValue('6')
    await a!.trigger('change')
    await b!.setValue('7')
    await b!.trigger('change')
    await wrapper.find('[data-testid="run-node"]').trigger('click')

    await vi.waitFor(() => expect(wrapper.find('[data-testid="node-result"]').attributes('data-phase')).toBe('succeeded'))
    expect(JSON.parse(wrapper.find('[data-testid="node-outputs"]').text())).toEqual({ result: 42 })
    wrapper.unmount()
  })

  it('marks a view whose plugin was disabled elsewhere, and restores it when enabled again', async () => {
    const { t, wrapper } = await mountApp()
    useNavigationStore().go('workflows')
    await flushPromises()
    const other = t.connect()
    await other.client.system.disablePlugin({ id: 'workflow' })
    await vi.waitFor(() => expect(wrapper.find('[data-testid="plugin-unavailable"][data-plugin="workflow"]').exists()).toBe(true))
    expect(wrapper.find('.nav-item[data-view="workflows"] .nav-badge').text()).toBe('disabled')

    await other.client.system.enablePlugin({ id: 'workflow' })
    await vi.waitFor(() => expect(wrapper.find('[data-testid="new-workflow"]').exists()).toBe(true))
    expect(wrapper.find('.nav-item[data-view="workflows"] .nav-badge').exists()).toBe(false)
    wrapper.unmount()
  })
})
