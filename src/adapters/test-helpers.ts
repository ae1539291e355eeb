// Test code only: the real embedded stores (SQLite and the filesystem in a temp dir) wired as RegistryDeps with a
// clock the test moves, plus raw access behind the stores' backs, so tests of GC and fsck run against the real thing.
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import Database from 'better-sqlite3';
import {
  type Actor,
  appendChunk,
  type Clock,
  type Digest,
  finishUpload,
  hexOf,
  putManifest,
  type RegistryDeps,
  startUpload,
  UploadHashes,
} from '../core/index.ts';
import { createFsBlobStore } from './blob/fs/index.ts';
import { createSqliteMetadataStore } from './meta/sqlite/index.ts';

export interface ManualClock extends Clock {
  set(at: Date | number): void;
  advance(ms: number): void;
}

export function manualClock(start: Date): ManualClock {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    set: (at) => void (t = typeof at === 'number' ? at : at.getTime()),
    advance: (ms) => void (t += ms),
  };
}

export interface TestRegistry {
  deps: RegistryDeps;
  clock: ManualClock;
  /** The data directory (blobs/, uploads/, meta.db). */
  dir: string;
  /** Where the filesystem store keeps a committed blob. */
  blobPath(digest: Digest): string;
  /** Damages a committed blob's file behind the store's back: replaces its bytes, or removes it (null). */
  damageBlob(digest: Digest, content: string | null): Promise<void>;
  /** Runs SQL on the metadata file through a second connection, as an operator (or corruption) would. */
  sql(statement: string, ...args: unknown[]): unknown[];
  close(): Promise<void>;
}

export const TEST_ACTOR: Actor = { principal: 'test', dialect: 'oci' };

/**
 * For the body of a `describe`: a function that opens test registries (options as openTestRegistry's), every one of
 * them closed after the block, so no test file keeps its own list of what to close.
 */
export function registriesClosedAfter(): (options?: Parameters<typeof openTestRegistry>[0]) => Promise<TestRegistry> {
  const opened: TestRegistry[] = [];
  after(async () => {
    for (const r of opened) await r.close();
  });
  return async (options = {}) => {
    const r = await openTestRegistry(options);
    opened.push(r);
    return r;
  };
}

export async function openTestRegistry(
  options: { start?: Date; restoreWindowMs?: number; autoPinPulledWithinMs?: number; gcGraceMs?: number } = {},
): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-gc-'));
  const blobs = await createFsBlobStore({ root: dir, fsync: false });
  const meta = createSqliteMetadataStore({ file: join(dir, 'meta.db') });
  const clock = manualClock(options.start ?? new Date('2026-03-01T00:00:00Z'));
  const deps: RegistryDeps = {
    blobs,
    meta,
    clock,
    hashes: new UploadHashes(blobs),
    processId: 'test-process',
    deletion: { restoreWindowMs: options.restoreWindowMs ?? 0, autoPinPulledWithinMs: options.autoPinPulledWithinMs ?? 0, gcGraceMs: options.gcGraceMs ?? 0 },
    repositories: { createOnPush: true },
    limits: { maxManifestBytes: 4 << 20, maxPageSize: 1000 },
  };
  let raw: Database.Database | undefined;
  return {
    deps,
    clock,
    dir,
    blobPath: (digest) => join(dir, 'blobs', 'sha256', hexOf(digest).slice(0, 2), hexOf(digest)),
    async damageBlob(digest, content) {
      const path = join(dir, 'blobs', 'sha256', hexOf(digest).slice(0, 2), hexOf(digest));
      await (content === null ? rm(path) : writeFile(path, content));
    },
    sql(statement, ...args) {
      raw ??= new Database(join(dir, 'meta.db'), { timeout: 5_000 });
      const stmt = raw.prepare(statement);
      return stmt.reader ? stmt.all(...args) : [stmt.run(...args)];
    },
    async close() {
      raw?.close();
      await meta.close();
      await blobs.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export const sha256 = (bytes: Uint8Array | string): Digest => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

/** A blob pushed the way a client pushes one (POST, PATCH, PUT ?digest=), linked to `repository`. */
export async function pushBlob(deps: RegistryDeps, repository: string, content: string | Uint8Array): Promise<{ digest: Digest; size: number }> {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  const session = await startUpload(deps, repository);
  await appendChunk(deps, repository, session.id, { body: once(bytes) });
  return finishUpload(deps, repository, session.id, sha256(bytes), null, TEST_ACTOR);
}

/** An image manifest over already pushed config and layer blobs, pushed by tag (or by digest when tag is null). */
export async function pushImage(
  deps: RegistryDeps,
  repository: string,
  tag: string | null,
  config: { digest: Digest; size: number },
  layers: Array<{ digest: Digest; size: number }>,
  extra: Record<string, unknown> = {},
): Promise<Digest> {
  const layer = (b: { digest: Digest; size: number }) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: b.digest, size: b.size });
  const body = new TextEncoder().encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config.digest, size: config.size },
      layers: layers.map(layer),
      ...extra,
    }),
  );
  const digest = sha256(body);
  await putManifest(deps, { repository, reference: tag ?? digest, body, contentType: 'application/vnd.oci.image.manifest.v1+json', actor: TEST_ACTOR });
  return digest;
}
