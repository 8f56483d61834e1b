/**
 * The entry file of an isolated plugin's process (built into one file with the SDK and zod bundled in:
 * `pluginProcessEntry()` in @atomiton/plugin-sdk/testing builds it for tests and development; the app's
 * builds add it as one more input). The package it loads imports `@atomiton/plugin-sdk` and `zod` as bare
 * imports: they resolve, as in process, to the shims the host wrote in `<plugins>/node_modules/`, which
 * re-export these very modules (see core/src/packages/host-modules.ts).
 */
import * as zod from 'zod'
import { runPluginProcess } from '@atomiton/core/isolation/plugin-process'
import * as sdk from '../index'

runPluginProcess({ '@atomiton/plugin-sdk': sdk, zod, 'zod/v4': zod })
