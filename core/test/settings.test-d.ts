// Type tests: `ctx.settings` is typed from the plugin's own settings schema, in setup and in handlers.
import { describe, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import type { Disposable } from '../src/host/disposable'
import { definePlugin } from '../src/plugin/definition'

describe('ctx.settings', () => {
  it('reads the schema’s output type in setup, teardown, handlers and change listeners', () => {
    definePlugin({
      id: 'mail',
      version: '1.0.0',
      settings: z.object({
        retries: z.number().int().default(3),
        mode: z.enum(['fast', 'safe']).default('safe'),
        sender: z.object({ name: z.string().default('Atomiton') }).default({ name: 'Atomiton' }),
      }),
      procedures: (p) => ({
        send: p.procedure({
          handler: (_input, ctx) => {
            const values = ctx.settings.get()
            expectTypeOf(values.retries).toEqualTypeOf<number>()
            expectTypeOf(values.mode).toEqualTypeOf<'fast' | 'safe'>()
            expectTypeOf(values.sender.name).toEqualTypeOf<string>()
            // @ts-expect-error no such setting
            void values.timeout
            // @ts-expect-error the values are read-only: settings change through the host, validated
            values.retries = 4
            return values.retries
          },
        }),
      }),
      setup(ctx) {
        expectTypeOf(ctx.settings.get().mode).toEqualTypeOf<'fast' | 'safe'>()
        const subscription = ctx.settings.onChange((values) => {
          expectTypeOf(values.retries).toEqualTypeOf<number>()
          // @ts-expect-error a number is not one of the enum's values
          const mode: 'fast' | 'safe' = values.retries
          void mode
        })
        expectTypeOf(subscription).toEqualTypeOf<Disposable>()
      },
      teardown(ctx) {
        expectTypeOf(ctx.settings.get().sender).toEqualTypeOf<{ name: string }>()
      },
    })
  })

  it('has nothing to read for a plugin without settings', () => {
    definePlugin({
      id: 'plain',
      version: '1.0.0',
      setup(ctx) {
        // @ts-expect-error a plugin without a settings schema has no settings
        void ctx.settings.get().retries
      },
    })
  })

  it('takes only a zod object as the schema', () => {
    definePlugin({
      id: 'bad',
      version: '1.0.0',
      // @ts-expect-error settings are an object of fields, not a single value
      settings: z.number().default(1),
    })
  })
})
