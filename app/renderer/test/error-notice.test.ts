// @vitest-environment jsdom
// An unexpected failure's answer carries the request id the host logged it under (core/test/router.test.ts
// checks the log line); the notice shows it, and shows none for an error a handler meant.
import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { RpcError } from '@atomiton/core/client'
import ErrorNotice from '../src/components/ErrorNotice.vue'
import { toErrorInfo } from '../src/lib/errors'

describe('an error notice', () => {
  it('shows the request id of an internal error', () => {
    const requestId = '0b5c1d3e-8f2a-4c61-9d7e-3a2b1c0d9e8f'
    const wrapper = mount(ErrorNotice, { props: { error: toErrorInfo(new RpcError('INTERNAL', 'Internal error', { requestId })) } })
    expect(wrapper.find('[data-testid="request-id"]').text()).toBe(requestId)
  })

  it('shows no request id for an error the handler meant (it is not logged)', () => {
    const wrapper = mount(ErrorNotice, { props: { error: { code: 'NOT_FOUND', message: 'No workflow "x"', issues: [] } } })
    expect(wrapper.find('[data-testid="request-id"]').exists()).toBe(false)
  })
})
