/**
 * The version of the plugin API this host implements: what `@atomiton/plugin-sdk` exports and what an
 * installed package's `atomiton.api` range (checked with semver) must accept. Raise the major version when a
 * change breaks existing plugins, the minor one when plugins gain something.
 */
export const PLUGIN_API_VERSION = '1.0.0'
