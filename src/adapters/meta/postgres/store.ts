// Assembles the PostgreSQL MetadataStore (`--meta postgres://...`) that several stateless replicas share.
//
// Concurrency. SQLite gets its guarantees from one writer at a time (every mutating method is one IMMEDIATE
// transaction). Here every mutating method of the registry model (repositories, blobs, manifests, tags, the GC queue,
// pins, purge markers and upload claims, namespaces, audit) is one transaction that first takes one transaction-scoped
// advisory lock per schema (transaction.ts), so berth's writers run one at a time across all replicas, exactly as on
// SQLite, and every compare-and-act keeps the meaning it has there. Writes that are one statement on one row and atomic
// on their own (upload offsets, nonces, completing a client token, renewing a purge marker) take no lock; a client-token
// claim takes a lock of its own token. Reads take none: each is one statement on a committed snapshot.
// Why not SERIALIZABLE: measured with 8 concurrent pushes on two replicas, PostgreSQL's predicate locks are per index
// page, and the small, hot tables every push touches (the GC queue, tags, a new repository's rows) sit on a handful of
// pages, so unrelated pushes conflicted: 2 retries per push, p99 0.6-1 s, transactions giving up after 30 runs, and
// 110-190 pushes/s; the lock gives ~400 pushes/s, p99 30 ms and no retries on the same machine.
// Cost: writes do not scale with replicas; their throughput is bounded by one writer's lock hold time (a push is ~16
// statements, ~2.5 ms on loopback without fsync: ~400 putManifest/s or ~700-1300 linkBlob/s in total, lower with a
// durable commit or a distant server). Reads, uploads and signature checks scale with replicas. lock_timeout (30 s)
// turns a stuck queue into UNAVAILABLE, and idle_in_transaction_session_timeout (60 s) frees the lock of a replica
// frozen mid-transaction.
//
// Caching: none. Every read goes to PostgreSQL, so a tag moved or deleted through one replica is never served stale
// by another (SQLite's ReadCache relies on SQLite telling it about other connections' commits; there is no such
// signal here that is cheaper than the read itself).
import { purgeLeaseExpiry, type MetadataStore } from '../../../core/index.ts';
import { listAudit } from './audit.ts';
import * as blobs from './blobs.ts';
import * as browse from './browse.ts';
import { openPool, type PoolSettings } from './db.ts';
import { translate } from './errors.ts';
import * as gcBlobs from './gc-blobs.ts';
import * as inspect from './gc-inspect.ts';
import * as gc from './gc-manifests.ts';
import * as keys from './keys.ts';
import * as ledger from './ledger.ts';
import { deleteManifest } from './manifest-delete.ts';
import * as manifests from './manifests.ts';
import { migrate } from './migrate.ts';
import * as namespaces from './namespaces.ts';
import * as pins from './pins.ts';
import * as admin from './repo-admin.ts';
import * as repos from './repositories.ts';
import { MIGRATIONS } from './schema.ts';
import * as tags from './tags.ts';
import * as trash from './trash.ts';
import { poolSettings } from './url.ts';
import * as uploads from './uploads.ts';

export interface PostgresOptions extends Partial<Omit<PoolSettings, 'connectionString'>> {
  /** postgres://USER:PASSWORD@HOST:PORT/DB, optionally ?schema=NAME (default public), &pool=N (10), &connectTimeoutMs=MS (5000). */
  url: string;
}

/** Opens the pool and brings the schema up to date (created if missing); fails with UNAVAILABLE when unreachable. */
export async function createPostgresMetadataStore(options: PostgresOptions): Promise<MetadataStore> {
  const { url, ...explicit } = options;
  const settings = poolSettings(url, explicit);
  const db = openPool(settings);
  try {
    await migrate(db.pool, settings.schema, MIGRATIONS);
  } catch (err) {
    await db.close();
    throw translate(err);
  }
  return {
    kind: 'postgres',
    findRepository: (name) => repos.findRepository(db, name),
    listRepositories: (page) => repos.listRepositories(db, page),
    deleteRepository: (name, force, actor, at, policy, onlyId) => repos.deleteRepository(db, name, force, actor, at, policy, onlyId),
    findBlob: (repository, digest) => blobs.findBlob(db, repository, digest),
    linkBlob: (repository, blob, _actor, at) => blobs.linkBlob(db, repository, blob, at),
    mountBlob: (from, to, digest, _actor, at) => blobs.mountBlob(db, from, to, digest, at),
    unlinkBlob: (repository, digest, actor, at) => blobs.unlinkBlob(db, repository, digest, actor, at),
    putManifest: (m) => manifests.putManifest(db, m),
    getManifest: (repository, ref) => manifests.getManifest(db, repository, ref),
    listReferrers: (repository, subject) => manifests.listReferrers(db, repository, subject),
    deleteManifest: (repository, digest, actor, at, policy) => deleteManifest(db, repository, digest, actor, at, policy),
    deleteTag: (repository, tag, actor, at, o) => tags.deleteTag(db, repository, tag, actor, at, o),
    listTags: (repository, page) => tags.listTags(db, repository, page.after, page.limit),
    recordPulls: (pulls) => manifests.recordPulls(db, pulls),
    createUpload: (s) => uploads.createUpload(db, s),
    getUpload: (id) => uploads.getUpload(db, id),
    advanceUpload: (id, from, to, at, ref) => uploads.advanceUpload(db, id, from, to, at, ref),
    deleteUpload: (id) => uploads.deleteUpload(db, id),
    listIdleUploads: (before, limit) => uploads.listIdleUploads(db, before, limit),
    claimUploadDigest: (id, digest, at, staleBefore) => gcBlobs.claimUploadDigest(db, id, digest, at, staleBefore),
    createAccessKey: (key) => keys.createAccessKey(db, key),
    findAccessKey: (id) => keys.findAccessKey(db, id),
    listAccessKeys: () => keys.listAccessKeys(db),
    deleteAccessKey: (id) => keys.deleteAccessKey(db, id, new Date()),
    listAudit: (page) => listAudit(db, page),
    createPin: (p) => pins.createPin(db, p),
    listPins: (f) => pins.listPins(db, f),
    findPin: (id) => pins.findPin(db, id),
    deletePin: (id, actor, at) => pins.deletePin(db, id, actor, at),
    listDeletedTags: (repository, since, limit) => trash.listDeletedTags(db, repository, since, limit),
    restore: (repository, ref, since, actor, at) => trash.restore(db, repository, ref, since, actor, at),
    dueManifests: (before, limit) => gc.dueManifests(db, before, limit),
    collectManifest: (review, clock, policy, actor, dryRun) => gc.collectManifest(db, review, clock, policy, actor, dryRun),
    dueTrash: (before, limit) => gc.dueTrash(db, before, limit),
    purgeTrash: (before, limit, at) => gc.purgeTrash(db, before, limit, at),
    purgeDeletedRepositories: (limit, at) => gc.purgeDeletedRepositories(db, limit, at),
    expirePins: (at, limit) => gc.expirePins(db, at, limit),
    dueBlobs: (before, limit, after) => gcBlobs.dueBlobs(db, before, limit, after),
    beginBlobPurge: (digests, before, at, owner) => gcBlobs.beginBlobPurge(db, digests, before, at, owner),
    beginOrphanPurge: (digests, at, owner) => gcBlobs.beginOrphanPurge(db, digests, at, owner),
    ownsPurge: (digest, owner, at) => gcBlobs.ownsPurge(db, digest, owner, at),
    endBlobPurge: (digests, owner) => gcBlobs.endBlobPurge(db, digests, owner),
    takeOverPurges: (before, owner, at, limit) => gcBlobs.takeOverPurges(db, before, owner, at, limit),
    gcStats: (clock) => inspect.gcStats(db, clock),
    listBlobRecords: (after, limit) => inspect.listBlobRecords(db, after, limit),
    blobState: (digest) => inspect.blobState(db, digest),
    integrityIssues: (limit) => inspect.integrityIssues(db, limit, purgeLeaseExpiry(new Date())),
    listManifestBodies: (after, limit) => inspect.listManifestBodies(db, after, limit),
    createRepository: (r) => admin.createRepository(db, r),
    updateRepository: (name, change, actor, at) => admin.updateRepository(db, name, change, actor, at),
    repositoryExtras: (name) => admin.repositoryExtras(db, name),
    listImages: (repository, q) => admin.listImages(db, repository, q),
    findImages: (repository, digests) => admin.findImages(db, repository, digests),
    indexParents: (repository, digest) => admin.indexParents(db, repository, digest),
    createNamespace: (ns) => namespaces.createNamespace(db, ns),
    findNamespace: (name) => namespaces.findNamespace(db, name),
    listNamespaces: (q) => namespaces.listNamespaces(db, q),
    deleteNamespace: (name, actor, at) => namespaces.deleteNamespace(db, name, actor, at),
    listRepositorySummaries: (f) => browse.listRepositorySummaries(db, f),
    repositorySummary: (name) => browse.repositorySummary(db, name),
    findRepositoryById: (id) => browse.findRepositoryById(db, id),
    listTagDetails: (repository, q) => browse.listTagDetails(db, repository, q),
    findTagDetail: (repository, tag) => browse.findTagDetail(db, repository, tag),
    claimClientToken: (key, fingerprint, at, limits) => ledger.claimClientToken(db, key, fingerprint, at, limits),
    completeClientToken: (key, fingerprint, answer) => ledger.completeClientToken(db, key, fingerprint, answer),
    releaseClientToken: (key, fingerprint) => ledger.releaseClientToken(db, key, fingerprint),
    useNonce: (key, at, validSince) => ledger.useNonce(db, key, at, validSince),
    pruneRequestLedger: (before, limit) => ledger.pruneRequestLedger(db, before, limit),
    ping: async () => {
      await db.get('SELECT 1');
    },
    close: () => db.close(),
  };
}
