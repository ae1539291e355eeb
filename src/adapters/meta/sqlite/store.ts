// Assembles the SQLite MetadataStore from the query modules. Calls are synchronous inside (better-sqlite3 is
// fastest that way and a transaction can never interleave with another request); the port stays async for
// network-backed stores.
import type { MetadataStore } from '../../../core/index.ts';
import { audit, ReviewQueue } from './common.ts';
import { openDb } from './db.ts';
import * as blobs from './blobs.ts';
import * as manifests from './manifests.ts';
import { accessKeys, listAudit, uploads } from './records.ts';
import * as repos from './repositories.ts';

export interface SqliteOptions {
  file: string;
  busyTimeoutMs?: number;
  /** How long something that lost its last reference waits before GC may review it (default 1 h). */
  reviewDelayMs?: number;
}

export function createSqliteMetadataStore(options: SqliteOptions): MetadataStore {
  const db = openDb(options.file, options.busyTimeoutMs ?? 5_000);
  const queue = new ReviewQueue(db, options.reviewDelayMs ?? 3_600_000);
  const up = uploads(db);
  const keys = accessKeys(db);
  return {
    kind: 'sqlite',
    findRepository: async (name) => repos.findRepository(db, name),
    listRepositories: async (page) => repos.listRepositories(db, page),
    deleteRepository: async (name, force, actor, at) => repos.deleteRepository(db, queue, name, force, actor, at),
    findBlob: async (repository, digest) => blobs.findBlob(db, repository, digest),
    linkBlob: async (repository, blob, _actor, at) => blobs.linkBlob(db, queue, repository, blob, at),
    mountBlob: async (from, to, digest, _actor, at) => blobs.mountBlob(db, queue, from, to, digest, at),
    unlinkBlob: async (repository, digest, actor, at) => blobs.unlinkBlob(db, queue, repository, digest, actor, at),
    putManifest: async (m) => manifests.putManifest(db, queue, m),
    getManifest: async (repository, ref) => manifests.getManifest(db, repository, ref),
    listReferrers: async (repository, subject) => manifests.listReferrers(db, repository, subject),
    deleteManifest: async (repository, digest, actor, at) => manifests.deleteManifest(db, queue, repository, digest, actor, at),
    deleteTag: async (repository, tag, actor, at) => manifests.deleteTag(db, queue, repository, tag, actor, at),
    listTags: async (repository, page) => manifests.listTags(db, repository, page.after, page.limit),
    recordPulls: async (pulls) => manifests.recordPulls(db, pulls),
    createUpload: async (s) => up.create(s),
    getUpload: async (id) => up.get(id),
    advanceUpload: async (id, from, to, at) => up.advance(id, from, to, at),
    deleteUpload: async (id) => up.remove(id),
    listIdleUploads: async (before, limit) => up.idle(before, limit),
    createAccessKey: async (k) => db.tx(() => {
      keys.create(k);
      audit(db, { principal: 'system', dialect: 'cli' }, k.createdAt, 'key.create', null, k.id, { name: k.name });
    }),
    findAccessKey: async (id) => keys.find(id),
    listAccessKeys: async () => keys.list(),
    deleteAccessKey: async (id) => db.tx(() => {
      const removed = keys.remove(id);
      if (removed) audit(db, { principal: 'system', dialect: 'cli' }, new Date(), 'key.delete', null, id);
      return removed;
    }),
    listAudit: async (page) => listAudit(db, page.before, page.limit),
    ping: async () => {
      db.q('SELECT 1').get();
    },
    close: async () => {
      db.raw.close();
    },
  };
}
