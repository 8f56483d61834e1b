#!/usr/bin/env node
// `npx atomiton ...`: runs the built command line, out/cli/atomiton.js (app/cli/). Plain .mjs so that bare
// Node 20 runs it without a TypeScript loader. The CLI is built here on first use, and again whenever one of
// its sources is newer than the build (a few seconds, once), so `npm install` stays fast: no build step there.
// The build goes to a fresh folder that is then renamed into place, so two first runs at once cannot see a
// half-written build.
import { renameSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { isStale } from '../tools/build/stale.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const outDir = join(root, 'out', 'cli')
const built = join(outDir, 'atomiton.js')
const SOURCES = ['app/cli', 'tools/build', 'app/common', 'core/src', 'plugins', 'plugin-sdk/src', 'aliases.ts', 'package.json']

if (isStale(root, built, SOURCES)) {
  process.stderr.write('Building the Atomiton command line (out/cli, once)...\n')
  const { build } = await import('vite')
  const staging = join(root, 'out', `.cli-${process.pid}`)
  await build({ configFile: join(root, 'app/cli/vite.config.ts'), logLevel: 'warn', build: { outDir: staging, emptyOutDir: true } })
  rmSync(outDir, { recursive: true, force: true })
  try {
    renameSync(staging, outDir)
  } catch (error) {
    // Another first run renamed its build into place in between: use that one.
    rmSync(staging, { recursive: true, force: true })
    if (!statSync(built, { throwIfNoEntry: false })) throw error
  }
}

const { runCli } = await import(pathToFileURL(built).href)
process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, cwd: process.cwd() })
