// Assembles the SQLite MetadataStore from the query modules. Calls are synchronous inside (better-sqlite3 is
// fastest that way and a transaction can never interleave with another request); the port stays async for
// network-backed stores, and a thrown error becomes a rejected promise.
import { purgeLeaseExpiry, type MetadataStore } from '../../../core/index.ts';
import { listAudit } from './audit.ts';
import * as blobs from './blobs.ts';
import * as browse from './browse.ts';
import { openDb } from './db.ts';
import * as keys from './keys.ts';
import * as ledger from './ledger.ts';
import * as gcBlobs from './gc-blobs.ts';
import * as inspect from './gc-inspect.ts';
import * as gc from './gc-manifests.ts';
import { deleteManifest } from './manifest-delete.ts';
import * as manifests from './manifests.ts';
import * as namespaces from './namespaces.ts';
import { ReadCache } from './read-cache.ts';
import * as admin from './repo-admin.ts';
import * as repos from './repositories.ts';
import { ReviewQueue } from './review-queue.ts';
import * as pins from './pins.ts';
import * as tags from './tags.ts';
import * as trash from './trash.ts';
import * as uploads from './uploads.ts';

export interface SqliteOptions {
  /** The database file; created (with its -wal and -shm companions) when missing. */
  file: string;
  /** How long a write waits for another connection's write lock before failing (default 5000 ms). */
  busyTimeoutMs?: number;
}

export function createSqliteMetadataStore(options: SqliteOptions): MetadataStore {
  const db = openDb(options.file, options.busyTimeoutMs ?? 5_000);
  const queue = new ReviewQueue(db);
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
    deleteRepository: async (name, force, actor, at, policy, onlyId) => write(() => repos.deleteRepository(db, name, force, actor, at, policy, onlyId)),
    findBlob: async (repository, digest) => cache.get(`b\0${repository}\0${digest}`, () => blobs.findBlob(db, repository, digest)),
    linkBlob: async (repository, blob, _actor, at) => write(() => blobs.linkBlob(db, queue, repository, blob, at)),
    mountBlob: async (from, to, digest, _actor, at) => write(() => blobs.mountBlob(db, queue, from, to, digest, at)),
    unlinkBlob: async (repository, digest, actor, at) => write(() => blobs.unlinkBlob(db, queue, repository, digest, actor, at)),
    putManifest: async (m) => write(() => manifests.putManifest(db, queue, m)),
    getManifest: async (repository, ref) => cache.get(`m\0${repository}\0${'tag' in ref ? `t:${ref.tag}` : ref.digest}`,
      () => manifests.getManifest(db, repository, ref), (m) => m?.body.byteLength ?? 64),
    listReferrers: async (repository, subject) => manifests.listReferrers(db, repository, subject),
    deleteManifest: async (repository, digest, actor, at, policy) => write(() => deleteManifest(db, queue, repository, digest, actor, at, policy)),
    deleteTag: async (repository, tag, actor, at, o) => write(() => tags.deleteTag(db, queue, repository, tag, actor, at, o)),
    listTags: async (repository, page) => cache.get(`t\0${repository}\0${page.after ?? ''}\0${page.limit}`,
      () => tags.listTags(db, repository, page.after, page.limit), (t) => (t?.length ?? 0) * 32),
    // Batched by the caller (a few per second at most), so dropping the cache here costs little and keeps lastPulledAt exact.
    recordPulls: async (pulls) => write(() => manifests.recordPulls(db, pulls)),
    createUpload: async (s) => uploads.createUpload(db, s),
    getUpload: async (id) => uploads.getUpload(db, id),
    advanceUpload: async (id, from, to, at, ref) => uploads.advanceUpload(db, id, from, to, at, ref),
    deleteUpload: async (id) => uploads.deleteUpload(db, id),
    listIdleUploads: async (before, limit) => uploads.listIdleUploads(db, before, limit),
    claimUploadDigest: async (id, digest, at, staleBefore) => write(() => gcBlobs.claimUploadDigest(db, id, digest, at, staleBefore)),
    createAccessKey: async (key) => keys.createAccessKey(db, key),
    findAccessKey: async (id) => keys.findAccessKey(db, id),
    listAccessKeys: async () => keys.listAccessKeys(db),
    deleteAccessKey: async (id) => keys.deleteAccessKey(db, id, new Date()),
    listAudit: async (page) => listAudit(db, page),
    createPin: async (p) => write(() => pins.createPin(db, p)),
    listPins: async (f) => pins.listPins(db, f),
    findPin: async (id) => pins.findPin(db, id),
    deletePin: async (id, actor, at) => write(() => pins.deletePin(db, queue, id, actor, at)),
    listDeletedTags: async (repository, since, limit) => trash.listDeletedTags(db, repository, since, limit),
    restore: async (repository, ref, since, actor, at) => write(() => trash.restore(db, queue, repository, ref, since, actor, at)),
    dueManifests: async (before, limit) => gc.dueManifests(db, before, limit),
    collectManifest: async (review, clock, policy, actor, dryRun) => write(() => gc.collectManifest(db, queue, review, clock, policy, actor, dryRun)),
    dueTrash: async (before, limit) => gc.dueTrash(db, before, limit),
    purgeTrash: async (before, limit, at) => write(() => gc.purgeTrash(db, queue, before, limit, at)),
    purgeDeletedRepositories: async (limit, at) => write(() => gc.purgeDeletedRepositories(db, queue, limit, at)),
    expirePins: async (at, limit) => write(() => gc.expirePins(db, queue, at, limit)),
    dueBlobs: async (before, limit, after) => gcBlobs.dueBlobs(db, before, limit, after),
    beginBlobPurge: async (digests, before, at, owner) => write(() => gcBlobs.beginBlobPurge(db, digests, before, at, owner)),
    beginOrphanPurge: async (digests, at, owner) => write(() => gcBlobs.beginOrphanPurge(db, digests, at, owner)),
    ownsPurge: async (digest, owner, at) => write(() => gcBlobs.ownsPurge(db, digest, owner, at)),
    endBlobPurge: async (digests, owner) => write(() => gcBlobs.endBlobPurge(db, digests, owner)),
    takeOverPurges: async (before, owner, at, limit) => write(() => gcBlobs.takeOverPurges(db, before, owner, at, limit)),
    gcStats: async (clock) => inspect.gcStats(db, clock),
    listBlobRecords: async (after, limit) => inspect.listBlobRecords(db, after, limit),
    blobState: async (digest) => inspect.blobState(db, digest),
    integrityIssues: async (limit) => inspect.integrityIssues(db, limit, purgeLeaseExpiry(new Date())),
    listManifestBodies: async (after, limit) => inspect.listManifestBodies(db, after, limit),
    createRepository: async (r) => write(() => admin.createRepository(db, r)),
    updateRepository: async (name, change, actor, at) => write(() => admin.updateRepository(db, name, change, actor, at)),
    repositoryExtras: async (name) => cache.get(`x\0${name}`, () => admin.repositoryExtras(db, name)),
    listImages: async (repository, q) => admin.listImages(db, repository, q),
    findImages: async (repository, digests) => admin.findImages(db, repository, digests),
    indexParents: async (repository, digest) => admin.indexParents(db, repository, digest),
    createNamespace: async (ns) => write(() => namespaces.createNamespace(db, ns)),
    findNamespace: async (name) => namespaces.findNamespace(db, name),
    listNamespaces: async (q) => namespaces.listNamespaces(db, q),
    deleteNamespace: async (name, actor, at) => write(() => namespaces.deleteNamespace(db, name, actor, at)),
    listRepositorySummaries: async (f) => browse.listRepositorySummaries(db, f),
    repositorySummary: async (name) => browse.repositorySummary(db, name),
    findRepositoryById: async (id) => browse.findRepositoryById(db, id),
    listTagDetails: async (repository, q) => browse.listTagDetails(db, repository, q),
    findTagDetail: async (repository, tag) => browse.findTagDetail(db, repository, tag),
    claimClientToken: async (key, fingerprint, at, limits) => ledger.claimClientToken(db, key, fingerprint, at, limits),
    completeClientToken: async (key, fingerprint, answer) => ledger.completeClientToken(db, key, fingerprint, answer),
    releaseClientToken: async (key, fingerprint) => ledger.releaseClientToken(db, key, fingerprint),
    useNonce: async (key, at, validSince) => ledger.useNonce(db, key, at, validSince),
    pruneRequestLedger: async (before, limit) => ledger.pruneRequestLedger(db, before, limit),
    ping: async () => {
      db.q('SELECT 1').get();
    },
    close: async () => {
      if (db.raw.open) db.raw.close();
    },
  };
}
