/**
 * The modules the host lends to installed plugin packages: its own `@atomiton/plugin-sdk` (with the built-ins'
 * contracts, `@atomiton/plugin-sdk/contracts` and `.../contracts/<id>`) and `zod`, so a package runs against the
 * very objects the host checks with (`RpcError`, zod schemas, the contracts' procedures). See
 * core/src/packages/host-modules.ts for how a package's bare imports reach them.
 */
import * as sdk from '@atomiton/plugin-sdk'
import * as contracts from '@atomiton/plugin-sdk/contracts'
import * as nodeContract from '@atomiton/plugin-sdk/contracts/node'
import * as storageContract from '@atomiton/plugin-sdk/contracts/storage'
import * as systemContract from '@atomiton/plugin-sdk/contracts/system'
import * as workflowContract from '@atomiton/plugin-sdk/contracts/workflow'
import * as zod from 'zod'
import type { HostModules } from '@atomiton/core/packages/host-modules'

export const hostModules: HostModules = {
  '@atomiton/plugin-sdk': sdk,
  // One entry per file of plugin-sdk/src/contracts/ (app/packages/contracts-in-packages.test.ts checks that none is missing).
  '@atomiton/plugin-sdk/contracts': contracts,
  '@atomiton/plugin-sdk/contracts/node': nodeContract,
  '@atomiton/plugin-sdk/contracts/storage': storageContract,
  '@atomiton/plugin-sdk/contracts/system': systemContract,
  '@atomiton/plugin-sdk/contracts/workflow': workflowContract,
  zod,
  'zod/v4': zod,
}
