// Finding what the filesystem store holds that is neither a blob nor an upload area (foreign names under blobs/ or
// uploads/, anything in tmp/), so fsck can report it and remove it; a blob or an upload area is never one, whatever
// a caller hands to removeStray.
import { lstat, opendir, rmdir, unlink } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { Stray } from '../../../core/index.ts';
import { ALGORITHMS, type FsPaths, isUploadId } from './paths.ts';

const SHARD_RE = /^[0-9a-f]{2}$/;
/** The top-level directories the store owns; anything else under the root (the metadata file, config) is not its own. */
const OWNED = ['blobs', 'uploads', 'tmp'];

function errno(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | null)?.code;
}

/** Whether a file at `rel` (parts of its path under the root) is something the store made: a blob or an upload area. */
function isOwnFile(paths: FsPaths, parts: readonly string[]): boolean {
  if (parts[0] === 'blobs' && parts.length === 4)
    return (ALGORITHMS as readonly string[]).includes(parts[1]!) && paths.digestAt(parts[1]!, parts[2]!, parts[3]!) !== null;
  return parts[0] === 'uploads' && parts.length === 2 && isUploadId(parts[1]!);
}

/** Whether a directory is part of the layout (kept even when empty): the three roots, blobs/<alg> and its shards. */
function isLayoutDir(parts: readonly string[]): boolean {
  if (parts.length === 1) return OWNED.includes(parts[0]!);
  if (parts[0] !== 'blobs') return false;
  if (!(ALGORITHMS as readonly string[]).includes(parts[1]!)) return false;
  return parts.length === 2 || (parts.length === 3 && SHARD_RE.test(parts[2]!));
}

/** Every non-directory under `dir`, streamed (blobs/ may hold millions), as paths relative to `root`. */
async function* files(root: string, dir: string): AsyncIterable<string> {
  let handle;
  try {
    handle = await opendir(dir, { bufferSize: 256 });
  } catch (e) {
    if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') return;
    throw e;
  }
  for await (const entry of handle) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(root, path);
    else yield relative(root, path);
  }
}

export async function* listFsStrays(paths: FsPaths): AsyncIterable<Stray> {
  for (const top of OWNED) {
    for await (const key of files(paths.root, join(paths.root, top))) {
      if (isOwnFile(paths, key.split(sep))) continue;
      let st;
      try {
        st = await lstat(join(paths.root, key));
      } catch (e) {
        if (errno(e) === 'ENOENT') continue; // removed meanwhile
        throw e;
      }
      yield { kind: 'file', key: key.split(sep).join('/'), modifiedAt: new Date(Math.floor(st.mtimeMs)), size: st.size };
    }
  }
}

/** Removes a listed stray file if it is still that file (same modification time), then its emptied foreign directories. */
export async function removeFsStray(paths: FsPaths, stray: Stray): Promise<boolean> {
  const parts = stray.key.split('/');
  // Only a path inside the store's own directories, never a blob or an upload area, however the stray was made.
  if (stray.kind !== 'file' || !OWNED.includes(parts[0]!) || parts.some((p) => p === '' || p === '.' || p === '..')) return false;
  if (isOwnFile(paths, parts)) return false;
  const path = join(paths.root, ...parts);
  try {
    const st = await lstat(path);
    if (st.isDirectory() || Math.floor(st.mtimeMs) !== stray.modifiedAt.getTime()) return false;
    await unlink(path);
  } catch (e) {
    if (errno(e) === 'ENOENT') return false;
    throw e;
  }
  // Foreign directories it leaves empty go too (best effort: another stray in them keeps them).
  for (let d = dirname(path); d.startsWith(paths.root + sep) && !isLayoutDir(relative(paths.root, d).split(sep)); d = dirname(d)) {
    try {
      await rmdir(d);
    } catch {
      break;
    }
  }
  return true;
}
