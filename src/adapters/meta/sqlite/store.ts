// Assembles the SQLite MetadataStore from the query modules. Calls are synchronous inside (better-sqlite3 is
// fastest that way and a transaction can never interleave with another request); the port stays async for
// network-backed stores, and a thrown error becomes a rejected promise.
import type { MetadataStore } from '../../../core/index.ts';
import { listAudit } from './audit.ts';
import * as blobs from './blobs.ts';
import { openDb } from './db.ts';
import * as keys from './keys.ts';
import { deleteManifest } from './manifest-delete.ts';
import * as manifests from './manifests.ts';
import { ReadCache } from './read-cache.ts';
import * as repos from './repositories.ts';
import { DEFAULT_REVIEW_DELAY_MS, ReviewQueue } from './review-queue.ts';
import * as tags from './tags.ts';
import * as uploads from './uploads.ts';

export interface SqliteOptions {
  /** The database file; created (with its -wal and -shm companions) when missing. */
  file: string;
  /** How long a write waits for another connection's write lock before failing (default 5000 ms). */
  busyTimeoutMs?: number;
  /** How long something that lost its last reference waits before GC may review it (default 1 h). */
  reviewDelayMs?: number;
}

export function createSqliteMetadataStore(options: SqliteOptions): MetadataStore {
  const db = openDb(options.file, options.busyTimeoutMs ?? 5_000);
  const queue = new ReviewQueue(db, options.reviewDelayMs ?? DEFAULT_REVIEW_DELAY_MS);
  const cache = new ReadCache(db);
  /** Every write of this connection goes through here, so cached reads are dropped as soon as it commits (or fails). */
  const write = <T>(fn: () => T): T => {
    try {
      return fn();
    } finally {
      cache.invalidate();
    }
  };
  return {
    kind: 'sqlite',
    findRepository: async (name) => cache.get(`r\0${name}`, () => repos.findRepository(db, name)),
    listRepositories: async (page) => repos.listRepositories(db, page),
    deleteRepository: async (name, force, actor, at) => write(() => repos.deleteRepository(db, name, force, actor, at)),
    findBlob: async (repository, digest) => cache.get(`b\0${repository}\0${digest}`, () => blobs.findBlob(db, repository, digest)),
    linkBlob: async (repository, blob, _actor, at) => write(() => blobs.linkBlob(db, queue, repository, blob, at)),
    mountBlob: async (from, to, digest, _actor, at) => write(() => blobs.mountBlob(db, queue, from, to, digest, at)),
    unlinkBlob: async (repository, digest, actor, at) => write(() => blobs.unlinkBlob(db, queue, repository, digest, actor, at)),
    putManifest: async (m) => write(() => manifests.putManifest(db, queue, m)),
    getManifest: async (repository, ref) => cache.get(`m\0${repository}\0${'tag' in ref ? `t:${ref.tag}` : ref.digest}`,
      () => manifests.getManifest(db, repository, ref), (m) => m?.body.byteLength ?? 64),
    listReferrers: async (repository, subject) => manifests.listReferrers(db, repository, subject),
    deleteManifest: async (repository, digest, actor, at) => write(() => deleteManifest(db, queue, repository, digest, actor, at)),
    deleteTag: async (repository, tag, actor, at) => write(() => tags.deleteTag(db, queue, repository, tag, actor, at)),
    listTags: async (repository, page) => cache.get(`t\0${repository}\0${page.after ?? ''}\0${page.limit}`,
      () => tags.listTags(db, repository, page.after, page.limit), (t) => (t?.length ?? 0) * 32),
    // Batched by the caller (a few per second at most), so dropping the cache here costs little and keeps lastPulledAt exact.
    recordPulls: async (pulls) => write(() => manifests.recordPulls(db, pulls)),
    createUpload: async (s) => uploads.createUpload(db, s),
    getUpload: async (id) => uploads.getUpload(db, id),
    advanceUpload: async (id, from, to, at) => uploads.advanceUpload(db, id, from, to, at),
    deleteUpload: async (id) => uploads.deleteUpload(db, id),
    listIdleUploads: async (before, limit) => uploads.listIdleUploads(db, before, limit),
    createAccessKey: async (key) => keys.createAccessKey(db, key),
    findAccessKey: async (id) => keys.findAccessKey(db, id),
    listAccessKeys: async () => keys.listAccessKeys(db),
    deleteAccessKey: async (id) => keys.deleteAccessKey(db, id, new Date()),
    listAudit: async (page) => listAudit(db, page.before, page.limit),
    ping: async () => {
      db.q('SELECT 1').get();
    },
    close: async () => {
      if (db.raw.open) db.raw.close();
    },
  };
}
