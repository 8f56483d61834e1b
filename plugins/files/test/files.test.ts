// The file nodes on real temporary folders: every operation inside a granted folder, and the refusals a
// person trying to escape would meet: no folder granted, a path outside, `..`, symbolic links leading out.
import { describe, expect, it } from 'vitest'
import { createNodeTypeHost, createTempFolder } from '@atomiton/plugin-sdk/testing'
import { filesPlugin } from '../index'

async function setup() {
  const granted = await createTempFolder('atomiton-granted-')
  const outside = await createTempFolder('atomiton-outside-')
  const nodes = await createNodeTypeHost({ plugins: [filesPlugin] })
  await nodes.configure('files', { folders: [granted.path] })
  return { nodes, granted, outside }
}

describe('files nodes', () => {
  it('contributes its nine node types and grants no folder by default', async () => {
    const granted = await createTempFolder()
    granted.write('a.txt', 'hello')
    const nodes = await createNodeTypeHost({ plugins: [filesPlugin] })
    expect([...nodes.types().keys()].sort()).toEqual(
      ['append', 'copy', 'delete', 'exists', 'list', 'move', 'read', 'stat', 'write'].map((name) => `files.${name}`),
    )
    await expect(nodes.run('files.read', { path: granted.join('a.txt') })).rejects.toMatchObject({
      code: 'PATH_NOT_ALLOWED',
      message: expect.stringContaining('No folder is granted'),
    })
  })

  it('writes, reads, appends as text, JSON and bytes', async () => {
    const { nodes, granted } = await setup()
    await nodes.run('files.write', { path: granted.join('notes.txt'), content: 'one\n' })
    await nodes.run('files.append', { path: granted.join('notes.txt'), content: 'two\n' })
    await expect(nodes.run('files.read', { path: granted.join('notes.txt') })).resolves.toMatchObject({ outputs: { content: 'one\ntwo\n' } })
    await nodes.run('files.write', { path: granted.join('data', 'x.json'), content: { a: [1, 2] }, as: 'json', createFolders: true })
    expect(JSON.parse(granted.read('data/x.json'))).toEqual({ a: [1, 2] })
    await expect(nodes.run('files.read', { path: granted.join('data', 'x.json'), as: 'json' })).resolves.toMatchObject({ outputs: { content: { a: [1, 2] } } })
    await nodes.run('files.write', { path: granted.join('bin'), content: 'AAEC/w==', as: 'bytes' })
    expect([...granted.readBytes('bin')]).toEqual([0, 1, 2, 255])
    await expect(nodes.run('files.read', { path: granted.join('bin'), as: 'bytes' })).resolves.toMatchObject({ outputs: { content: 'AAEC/w==' } })
    await expect(nodes.run('files.read', { path: granted.join('notes.txt'), as: 'json' })).rejects.toMatchObject({ code: 'INVALID_JSON' })
    // atomic: no temporary file is left behind
    expect(granted.list()).toEqual(['bin', 'data', 'notes.txt'])
  })

  it('refuses to overwrite when told not to, and a missing parent folder unless asked to create it', async () => {
    const { nodes, granted } = await setup()
    granted.write('keep.txt', 'original')
    await expect(nodes.run('files.write', { path: granted.join('keep.txt'), content: 'new', overwrite: false })).rejects.toMatchObject({ code: 'CONFLICT' })
    expect(granted.read('keep.txt')).toBe('original')
    await expect(nodes.run('files.write', { path: granted.join('no', 'such', 'f.txt'), content: 'x' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('lists, stats, checks existence, moves, copies and deletes', async () => {
    const { nodes, granted } = await setup()
    granted.write('dir/a.txt', 'A')
    granted.write('dir/b.txt', 'BB')
    await expect(nodes.run('files.list', { path: granted.join('dir') })).resolves.toMatchObject({
      outputs: { entries: [{ name: 'a.txt', type: 'file' }, { name: 'b.txt', type: 'file' }] },
    })
    await expect(nodes.run('files.stat', { path: granted.join('dir', 'b.txt') })).resolves.toMatchObject({ outputs: { type: 'file', size: 2 } })
    await expect(nodes.run('files.exists', { path: granted.join('dir', 'zzz') })).resolves.toMatchObject({ outputs: { exists: false } })
    await nodes.run('files.copy', { from: granted.join('dir'), to: granted.join('copy') })
    expect(granted.list('copy')).toEqual(['a.txt', 'b.txt'])
    await nodes.run('files.move', { from: granted.join('copy', 'a.txt'), to: granted.join('moved.txt') })
    expect(granted.read('moved.txt')).toBe('A')
    expect(granted.exists('copy/a.txt')).toBe(false)
    await expect(nodes.run('files.delete', { path: granted.join('copy') })).rejects.toMatchObject({ code: 'CONFLICT' })
    await expect(nodes.run('files.delete', { path: granted.join('copy'), recursive: true })).resolves.toMatchObject({ outputs: { removed: true } })
    expect(granted.exists('copy')).toBe(false)
    await expect(nodes.run('files.copy', { from: granted.join('dir'), to: granted.join('dir', 'inner') })).rejects.toMatchObject({ code: 'INVALID_PATH' })
    await expect(nodes.run('files.delete', { path: granted.path, recursive: true })).rejects.toMatchObject({ code: 'PATH_NOT_ALLOWED' })
    expect(granted.exists('dir/a.txt')).toBe(true)
  })

  it('refuses paths outside the granted folders, relative paths and `..` traversal, with the field in the issue', async () => {
    const { nodes, granted, outside } = await setup()
    outside.write('secret.txt', 'secret')
    await expect(nodes.run('files.read', { path: outside.join('secret.txt') })).rejects.toMatchObject({
      code: 'PATH_NOT_ALLOWED',
      message: expect.stringContaining('outside the granted folders'),
      issues: [{ path: ['path'] }],
    })
    await expect(nodes.run('files.read', { path: `${granted.path}/../${outside.path.split('/').pop() ?? ''}/secret.txt` })).rejects.toMatchObject({
      code: 'PATH_NOT_ALLOWED',
      message: expect.stringContaining('".."'),
    })
    await expect(nodes.run('files.read', { path: 'secret.txt' })).rejects.toMatchObject({ code: 'PATH_NOT_ALLOWED', message: expect.stringContaining('absolute') })
    await expect(nodes.run('files.copy', { from: outside.join('secret.txt'), to: granted.join('stolen.txt') })).rejects.toMatchObject({ issues: [{ path: ['from'] }] })
    await expect(nodes.run('files.move', { from: granted.join('x'), to: outside.join('x') })).rejects.toMatchObject({ code: expect.stringMatching(/NOT_FOUND|PATH_NOT_ALLOWED/) })
    granted.write('mine.txt', 'mine')
    await expect(nodes.run('files.move', { from: granted.join('mine.txt'), to: outside.join('taken.txt') })).rejects.toMatchObject({ code: 'PATH_NOT_ALLOWED', issues: [{ path: ['to'] }] })
    expect(outside.list()).toEqual(['secret.txt'])
  })

  it('refuses symbolic links that lead out, for reading, writing, listing and through a linked folder', async () => {
    const { nodes, granted, outside } = await setup()
    outside.write('secret.txt', 'secret')
    granted.symlink(outside.join('secret.txt'), 'link.txt')
    granted.symlink(outside.path, 'linked-dir')
    const escape = { code: 'PATH_NOT_ALLOWED', message: expect.stringContaining('symbolic link') }
    await expect(nodes.run('files.read', { path: granted.join('link.txt') })).rejects.toMatchObject(escape)
    await expect(nodes.run('files.write', { path: granted.join('link.txt'), content: 'overwritten' })).rejects.toMatchObject(escape)
    await expect(nodes.run('files.read', { path: granted.join('linked-dir', 'secret.txt') })).rejects.toMatchObject(escape)
    await expect(nodes.run('files.write', { path: granted.join('linked-dir', 'planted.txt'), content: 'x' })).rejects.toMatchObject(escape)
    await expect(nodes.run('files.list', { path: granted.join('linked-dir') })).rejects.toMatchObject(escape)
    expect(outside.read('secret.txt')).toBe('secret')
    expect(outside.list()).toEqual(['secret.txt'])
    // a link that stays inside the granted folder is followed
    granted.write('real.txt', 'inside')
    granted.symlink(granted.join('real.txt'), 'inner-link.txt')
    await expect(nodes.run('files.read', { path: granted.join('inner-link.txt') })).resolves.toMatchObject({ outputs: { content: 'inside' } })
  })

  it('caps the size of a read, from the settings', async () => {
    const { nodes, granted } = await setup()
    granted.write('big.txt', 'x'.repeat(100))
    await nodes.configure('files', { folders: [granted.path], maxReadBytes: 10 })
    await expect(nodes.run('files.read', { path: granted.join('big.txt') })).rejects.toMatchObject({ code: 'FILE_TOO_LARGE' })
  })

  it('refuses a relative folder in the settings', async () => {
    const nodes = await createNodeTypeHost({ plugins: [filesPlugin] })
    await expect(nodes.configure('files', { folders: ['relative/dir'] })).rejects.toMatchObject({ code: 'INVALID_PARAMS' })
  })
})
