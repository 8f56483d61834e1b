/**
 * @atomiton/plugin-sdk/files: the file system, confined to the folders a person granted (real paths checked,
 * symbolic links that lead out and `..` refused, atomic writes). For plugins, which may not import `node:fs`.
 *
 *   const files = new GrantedFileSystem({ folders: () => ctx.settings.get().folders, maxReadBytes: 10_000_000 })
 *   await files.write('/granted/out.csv', text)   // FORBIDDEN outside the granted folders
 */
export { GrantedFileSystem, type GrantedFileSystemOptions, type FileStat, type DirectoryEntry, type EntryType, type WriteOptions } from './granted-file-system'
export { resolveGranted, type ResolvedPath, type PathRefusal } from './granted-folders'
