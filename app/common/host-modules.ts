/**
 * The modules the host lends to installed plugin packages: its own `@atomiton/plugin-sdk` and `zod`, so a
 * package runs against the very objects the host checks with (`RpcError`, zod schemas). See
 * core/src/packages/host-modules.ts for how a package's bare imports reach them.
 */
import * as sdk from '@atomiton/plugin-sdk'
import * as zod from 'zod'
import type { HostModules } from '@atomiton/core/packages/host-modules'

export const hostModules: HostModules = { '@atomiton/plugin-sdk': sdk, zod, 'zod/v4': zod }
