/**
 * Run in a child process by `durability.test.ts` (bundled first): writes into store `s` of the folder it
 * is given, over and over, until it is killed. After each write returns (acknowledged) it prints
 * `<key> <version>` on stdout, synchronously, so the parent knows exactly what was acknowledged.
 * Eight keys hold ~100 KB each, so every write replaces a ~800 KB file.
 */
import fs from 'node:fs'
import { createConfStoreFactory } from '../conf-store'

const [directory, first] = process.argv.slice(2)
const store = createConfStoreFactory({ directory: directory! }).open('s')
const filler = 'x'.repeat(100_000)
for (let version = Number(first); ; version++) {
  const key = `k${version % 8}`
  store.set(key, { version, filler })
  fs.writeSync(1, `${key} ${version}\n`)
}
