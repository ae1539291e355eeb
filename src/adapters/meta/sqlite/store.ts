// Assembles the SQLite MetadataStore from the query modules. Calls are synchronous inside (better-sqlite3 is
// fastest that way and a transaction can never interleave with another request); the port stays async for
// network-backed stores.
import type { MetadataStore } from '../../../core/index.ts';
import { audit, ReviewQueue } from './common.ts';
import { openDb } from './db.ts';
import { ReadCache } from './read-cache.ts';
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
  const cache = new ReadCache(db);
  /** Every write goes through here so cached reads are dropped the moment it commits. */
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
    deleteRepository: async (name, force, actor, at) => write(() => repos.deleteRepository(db, queue, name, force, actor, at)),
    findBlob: async (repository, digest) => cache.get(`b\0${repository}\0${digest}`, () => blobs.findBlob(db, repository, digest)),
    linkBlob: async (repository, blob, _actor, at) => write(() => blobs.linkBlob(db, queue, repository, blob, at)),
    mountBlob: async (from, to, digest, _actor, at) => write(() => blobs.mountBlob(db, queue, from, to, digest, at)),
    unlinkBlob: async (repository, digest, actor, at) => write(() => blobs.unlinkBlob(db, queue, repository, digest, actor, at)),
    putManifest: async (m) => write(() => manifests.putManifest(db, queue, m)),
    getManifest: async (repository, ref) => cache.get(`m\0${repository}\0${'tag' in ref ? `t:${ref.tag}` : ref.digest}`,
      () => manifests.getManifest(db, repository, ref), (m) => m?.body.byteLength ?? 64),
    listReferrers: async (repository, subject) => manifests.listReferrers(db, repository, subject),
    deleteManifest: async (repository, digest, actor, at) => write(() => manifests.deleteManifest(db, queue, repository, digest, actor, at)),
    deleteTag: async (repository, tag, actor, at) => write(() => manifests.deleteTag(db, queue, repository, tag, actor, at)),
    listTags: async (repository, page) => cache.get(`t\0${repository}\0${page.after ?? ''}\0${page.limit}`,
      () => manifests.listTags(db, repository, page.after, page.limit), (t) => (t?.length ?? 0) * 32),
    // Pull times change no cached answer that matters for correctness, so recording them keeps the cache warm.
    recordPulls: async (pulls) => manifests.recordPulls(db, pulls),
    createUpload: async (s) => up.create(s),
    getUpload: async (id) => up.get(id),
    advanceUpload: async (id, from, to, at) => up.advance(id, from, to, at),
    deleteUpload: async (id) => up.remove(id),
    listIdleUploads: async (before, limit) => up.idle(before, limit),
    createAccessKey: async (k) => write(() => db.tx(() => {
      keys.create(k);
      audit(db, { principal: 'system', dialect: 'cli' }, k.createdAt, 'key.create', null, k.id, { name: k.name });
    })),
    findAccessKey: async (id) => keys.find(id),
    listAccessKeys: async () => keys.list(),
    deleteAccessKey: async (id) => write(() => db.tx(() => {
      const removed = keys.remove(id);
      if (removed) audit(db, { principal: 'system', dialect: 'cli' }, new Date(), 'key.delete', null, id);
      return removed;
    })),
    listAudit: async (page) => listAudit(db, page.before, page.limit),
    ping: async () => {
      db.q('SELECT 1').get();
    },
    close: async () => {
      db.raw.close();
    },
  };
}
