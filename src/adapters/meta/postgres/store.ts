// Assembles the PostgreSQL MetadataStore (`--meta postgres://...`) that several stateless replicas share.
//
// Concurrency. SQLite gets its guarantees from one writer at a time. Here replicas write at the same moment, so
// every mutating method is one SERIALIZABLE transaction, run again (up to MAX_ATTEMPTS, jittered backoff) when
// PostgreSQL reports a serialization failure (40001) or a deadlock (40P01); past that it answers UNAVAILABLE (a 503
// the client retries). PostgreSQL's serializable snapshot isolation guarantees the committed transactions have the
// effect of some serial order, so each compare-and-act of the port (token and nonce claims, purge vs upload claim,
// compare-and-trash, the reference index and review-queue updates) keeps exactly the meaning it has on SQLite, with
// no lock held across I/O and no ordering rules between modules. Reads are single statements outside any
// transaction (each sees one committed snapshot, as SQLite's reads do).
// Cost, measured on loopback (see the PR report): a write is as many round trips as statements (~0.1 ms each),
// SSI bookkeeping is a few percent, and writers that touch the same rows (the same tag, the same blob's queue
// entry, a new repository's name) run one after another, paying a retry each; writers on unrelated rows run in
// parallel. Predicate locks taken by a sequential scan cover the whole table, so on tiny tables unrelated writers
// conflict too; retries absorb that and it disappears as indexes get used.
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
    advanceUpload: (id, from, to, at) => uploads.advanceUpload(db, id, from, to, at),
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
