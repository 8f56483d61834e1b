// The architecture rule must actually fail the build: lint snippets as if they lived in each area.
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

const eslint = new ESLint()

async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath })
  return (result?.messages ?? []).filter((m) => m.ruleId === 'architecture/imports').map((m) => m.message)
}

describe('architecture lint rule', () => {
  it('lets a plugin import only plugin-sdk, zod and its own files', async () => {
    expect(await problems('plugins/demo/src/ok.ts', `import { z } from 'zod'\nimport { definePlugin } from '@atomiton/plugin-sdk'\nimport { x } from './x'\nexport { z, definePlugin, x }`)).toEqual([])
    expect(await problems('plugins/demo/src/bad.ts', `import { Router } from '@atomiton/core'\nexport { Router }`)).toHaveLength(1)
    expect(await problems('plugins/demo/src/bad.ts', `import { x } from '../../other/src/x'\nexport { x }`)).toHaveLength(1)
    expect(await problems('plugins/demo/src/bad.ts', `import fs from 'node:fs'\nexport { fs }`)).toHaveLength(1)
    expect(await problems('plugins/demo/src/bad.ts', `import { createTestHost } from '@atomiton/plugin-sdk/testing'\nexport { createTestHost }`)).toHaveLength(1)
    expect(await problems('plugins/demo/src/ok.test.ts', `import { createTestHost } from '@atomiton/plugin-sdk/testing'\nexport { createTestHost }`)).toEqual([])
    // The built-ins' contracts come from the SDK, never from another plugin's folder.
    expect(await problems('plugins/demo/src/ok.ts', `import { storageContract } from '@atomiton/plugin-sdk/contracts'\nexport { storageContract }`)).toEqual([])
    expect(await problems('plugins/demo/src/bad.ts', `import { storagePlugin } from '../../storage/index'\nexport { storagePlugin }`)).toHaveLength(1)
  })

  it('lets a plugin reach the host only through the SDK capability modules, and a pack its one library', async () => {
    for (const module of ['sandbox', 'files', 'process']) {
      expect(await problems('plugins/demo/src/ok.ts', `import * as m from '@atomiton/plugin-sdk/${module}'\nexport { m }`)).toEqual([])
    }
    expect(await problems('plugins/demo/src/bad.ts', `import { spawn } from 'node:child_process'\nexport { spawn }`)).toHaveLength(1)
    expect(await problems('plugins/data/src/ok.ts', `import Papa from 'papaparse'\nexport { Papa }`)).toEqual([])
    expect(await problems('plugins/demo/src/bad.ts', `import Papa from 'papaparse'\nexport { Papa }`)).toHaveLength(1)
  })

  it('keeps Electron out of core and plugin-sdk', async () => {
    expect(await problems('core/src/bad.ts', `import { ipcMain } from 'electron'\nexport { ipcMain }`)).toHaveLength(1)
    expect(await problems('plugin-sdk/src/bad.ts', `import Store from 'electron-store'\nexport { Store }`)).toHaveLength(1)
    expect(await problems('core/src/bad.ts', `import { definePlugin } from '@atomiton/plugin-sdk'\nexport { definePlugin }`)).toHaveLength(1)
    expect(await problems('app/main/ok.ts', `import { ipcMain } from 'electron'\nexport { ipcMain }`)).toEqual([])
  })

  it('lets the renderer reach the kernel only through the client entry', async () => {
    expect(await problems('app/renderer/src/ok.ts', `import { createRPCClient } from '@atomiton/core/client'\nimport type { Host } from '@atomiton/core'\nexport { createRPCClient, type Host }`)).toEqual([])
    expect(await problems('app/renderer/src/bad.ts', `import { createHost } from '@atomiton/core'\nexport { createHost }`)).toHaveLength(1)
    expect(await problems('app/renderer/src/bad.ts', `import { ipcRenderer } from 'electron'\nexport { ipcRenderer }`)).toHaveLength(1)
    const component = (imports: string) => `<script setup lang="ts">\n${imports}\nvoid x\n</script>\n<template><div /></template>\n`
    expect(await problems('app/renderer/src/Bad.vue', component(`import { createHost as x } from '@atomiton/core'`))).toHaveLength(1)
    expect(await problems('app/renderer/src/Good.vue', component(`import { RpcError as x } from '@atomiton/core/client'`))).toEqual([])
    // Its tests may define a fixture plugin with the SDK; its code may not.
    expect(await problems('app/renderer/test/fixture.test.ts', `import { definePlugin } from '@atomiton/plugin-sdk'\nexport { definePlugin }`)).toEqual([])
    expect(await problems('app/renderer/src/bad.ts', `import { definePlugin } from '@atomiton/plugin-sdk'\nexport { definePlugin }`)).toHaveLength(1)
  })
})
