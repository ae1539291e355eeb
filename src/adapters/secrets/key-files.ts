// Server key material (the master key that seals access-key secrets, the token signing key) lives in files
// under the data directory, created once, readable only by the owner, shared by the server and the CLI.
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface ServerKeys {
  /** AES-256-GCM key sealing access-key secrets. */
  masterKey: Buffer;
  /** HS256 key signing registry tokens. */
  tokenKey: Buffer;
}

/**
 * Reads a 32-byte key, creating it if absent. Creation writes a temp file and hard-links it into place, which
 * fails if another process won the race; the loser then reads the winner's key, so all processes agree.
 */
async function loadOrCreate(dir: string, name: string): Promise<Buffer> {
  const path = join(dir, name);
  try {
    return decode(await readFile(path, 'utf8'), path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const tmp = join(dir, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}`);
  await writeFile(tmp, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flush: true });
  try {
    await link(tmp, path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    await rm(tmp, { force: true });
  }
  return decode(await readFile(path, 'utf8'), path);
}

function decode(text: string, path: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw new Error(`${path} must hold a base64-encoded 32-byte key`);
  return key;
}

/** Keys from `dir` (default `<data>/secrets`); replicas on one database must all point at the same key files. */
export async function loadServerKeys(dataDir: string, dir: string = join(dataDir, 'secrets')): Promise<ServerKeys> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  return { masterKey: await loadOrCreate(dir, 'master.key'), tokenKey: await loadOrCreate(dir, 'token.key') };
}
