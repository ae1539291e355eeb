// The one MetadataStore: every port method mapped to its shared query and to how it runs (a read, a cached hot
// read, or a write with the lock it needs). SQLite and PostgreSQL differ only in the SqlEngine they pass in.
import { type MetadataStore, purgeLeaseExpiry } from '../../core/index.ts';
import { manifestKey, pulledAtPatch } from './manifest-cache.ts';
import { listAudit } from './queries/audit.ts';
import * as blobs from './queries/blobs.ts';
import * as browse from './queries/browse.ts';
import * as consoleManifests from './queries/console-manifests.ts';
import * as consoleRepos from './queries/console-repos.ts';
import { deletePreviewFacts } from './queries/delete-preview.ts';
import * as gcBlobs from './queries/gc-blobs.ts';
import { forecastBlobs } from './queries/gc-forecast.ts';
import * as inspect from './queries/gc-inspect.ts';
import * as gc from './queries/gc-manifests.ts';
import * as gcPasses from './queries/gc-passes.ts';
import * as keys from './queries/keys.ts';
import * as ledger from './queries/ledger.ts';
import * as lifecycle from './queries/lifecycle.ts';
import * as lifecycleWire from './queries/lifecycle-wire.ts';
import { deleteManifest } from './queries/manifest-delete.ts';
import * as manifests from './queries/manifests.ts';
import * as namespaces from './queries/namespaces.ts';
import { replacePinSet } from './queries/pin-sets.ts';
import * as pins from './queries/pins.ts';
import * as admin from './queries/repo-admin.ts';
import * as repos from './queries/repositories.ts';
import * as tags from './queries/tags.ts';
import * as trash from './queries/trash.ts';
import * as uploads from './queries/uploads.ts';
import type { SqlEngine } from './sql/engine.ts';

/**
 * What a cached manifest holds on the heap besides its body: the row object, its strings, two Dates, the parsed
 * annotations and the body's buffer objects. Measured on 40,000 cached manifests of ~430 bytes: ~960 bytes of heap
 * each beside the body. The cache counts 256 for any entry, so a manifest adds the rest; without it a 16 MiB cache
 * held ~30 MiB.
 */
const MANIFEST_HEAP_BYTES = 700;

// Locks: every write of the registry model (repositories, blobs, manifests, tags, the GC queue, pins, purge markers
// and upload claims, namespaces, keys, audit) holds the registry lock ('registry'), or ('rows') takes row locks on
// what it touches as its query goes (queries/row-locks.ts; docs/SCALE-OUT.md "Write locks"): SQLite's one writer
// runs them one at a time either way, PostgreSQL runs 'rows' writes on different repositories and digests at once;
// every compare-and-act keeps its meaning. Writes that are one statement on one row, or atomic on their
// own (upload offsets, nonces, completing a client token, renewing or ending a purge marker), take none: a PATCH
// never queues behind a push; those that are one statement run as plain autocommit statements (single), which on
// SQLite spares a BEGIN IMMEDIATE per GC lease renewal. A client-token claim reads then writes, under a lock of its
// own token.
export function assembleMetadataStore(e: SqlEngine): MetadataStore {
  return {
    kind: e.kind,
    findRepository: (name) => e.cached(`r\0${name}`, () => repos.findRepository(name)),
    listRepositories: (page) => e.read(() => repos.listRepositories(page)),
    deleteRepository: (name, force, actor, at, policy, onlyId) => e.write(() => repos.deleteRepository(name, force, actor, at, policy, onlyId)),
    findBlob: (repository, digest) => e.cached(`b\0${repository}\0${digest}`, () => blobs.findBlob(repository, digest)),
    linkBlob: (repository, blob, _actor, at, closing) => e.write(() => blobs.linkBlob(repository, blob, at, closing), `rows:${repository}`),
    mountBlob: (from, to, digest, _actor, at) => e.write(() => blobs.mountBlob(from, to, digest, at), `rows:${to}`),
    unlinkBlob: (repository, digest, actor, at) => e.write(() => blobs.unlinkBlob(repository, digest, actor, at)),
    putManifest: (m) => e.write(() => manifests.putManifest(m), `rows:${m.repository}`),
    getManifest: (repository, ref) =>
      e.cached(
        manifestKey(repository, ref),
        () => manifests.getManifest(repository, ref),
        (m) => (m === null ? 64 : m.body.byteLength + MANIFEST_HEAP_BYTES),
      ),
    listReferrers: (repository, subject) => e.read(() => manifests.listReferrers(repository, subject)),
    deleteManifest: (repository, digest, actor, at, policy, note) =>
      e.write(() => deleteManifest(repository, digest, actor, at, policy, note), `rows:${repository}`),
    deleteTag: (repository, tag, actor, at, o) => e.write(() => tags.deleteTag(repository, tag, actor, at, o), `rows:${repository}`),
    listTags: (repository, page) =>
      e.cached(
        `t\0${repository}\0${page.after ?? ''}\0${page.limit}`,
        () => tags.listTags(repository, page.after, page.limit),
        (t) => (t?.length ?? 0) * 32,
      ),
    // An empty batch (most flushes when nothing was pulled) opens no transaction at all.
    // Recording pulls moves cached manifests' lastPulledAt instead of dropping every cached read.
    recordPulls: async (pulls) => (pulls.length === 0 ? undefined : e.write(() => manifests.recordPulls(pulls), 'rows', pulledAtPatch(pulls))),
    createUpload: (s) => e.single(() => uploads.createUpload(s)),
    getUpload: (id) => e.read(() => uploads.getUpload(id)),
    advanceUpload: (id, from, to, at, ref) => e.write(() => uploads.advanceUpload(id, from, to, at, ref), null),
    deleteUpload: (id) => e.write(() => uploads.deleteUpload(id), null),
    listIdleUploads: (before, limit) => e.read(() => uploads.listIdleUploads(before, limit)),
    claimUploadDigest: (id, digest, at, staleBefore, advance) => e.write(() => gcBlobs.claimUploadDigest(id, digest, at, staleBefore, advance), 'rows'),
    adoptUpload: (id, owner, at) => e.single(() => uploads.adoptUpload(id, owner, at)),
    listAbandonedUploads: (idleBefore, now, limit) => e.read(() => uploads.listAbandonedUploads(idleBefore, now, limit)),
    expireAbandonedUpload: (id, idleBefore, now) => e.write(() => uploads.expireAbandonedUpload(id, idleBefore, now), null),
    renewProcessLease: (id, at, expiresAt, forgetBefore) => e.write(() => uploads.renewProcessLease(id, at, expiresAt, forgetBefore), null),
    endProcessLease: (id) => e.single(() => uploads.endProcessLease(id)),
    createAccessKey: (key, actor) => e.write(() => keys.createAccessKey(key, actor)),
    findAccessKey: (id) => e.read(() => keys.findAccessKey(id)),
    listAccessKeys: () => e.read(() => keys.listAccessKeys()),
    deleteAccessKey: (id, actor) => e.write(() => keys.deleteAccessKey(id, new Date(), actor)),
    listAudit: (page) => e.read(() => listAudit(page)),
    createPin: (p) => e.write(() => pins.createPin(p)),
    listPins: (f) => e.read(() => pins.listPins(f)),
    findPin: (id) => e.read(() => pins.findPin(id)),
    deletePin: (id, actor, at) => e.write(() => pins.deletePin(id, actor, at)),
    replacePinSet: (set) => e.write(() => replacePinSet(set)),
    listDeletedTags: (repository, since, limit) => e.read(() => trash.listDeletedTags(repository, since, limit)),
    restore: (repository, ref, since, actor, at) => e.write(() => trash.restore(repository, ref, since, actor, at), `rows:${repository}`),
    dueManifests: (before, limit) => e.read(() => gc.dueManifests(before, limit)),
    collectManifest: (review, clock, policy, actor, dryRun) =>
      e.write(() => gc.collectManifest(review, clock, policy, actor, dryRun), `rows:${review.repository}`),
    dueTrash: (before, limit) => e.read(() => gc.dueTrash(before, limit)),
    purgeTrash: (before, limit, at) => e.write(() => gc.purgeTrash(before, limit, at)),
    purgeDeletedRepositories: (limit, at) => e.write(() => gc.purgeDeletedRepositories(limit, at)),
    expirePins: (at, limit) => e.write(() => gc.expirePins(at, limit)),
    dueBlobs: (before, limit, after) => e.read(() => gcBlobs.dueBlobs(before, limit, after)),
    beginBlobPurge: (digests, before, at, owner) => e.write(() => gcBlobs.beginBlobPurge(digests, before, at, owner), 'rows'),
    beginOrphanPurge: (digests, at, owner) => e.write(() => gcBlobs.beginOrphanPurge(digests, at, owner), 'rows'),
    // Lock-free, but as transactions: a set-based UPDATE or DELETE may deadlock with a take-over on PostgreSQL, and
    // the engine runs a transaction again after a deadlock (a single statement would fail instead).
    ownsPurges: (digests, owner, at) => e.write(() => gcBlobs.ownsPurges(digests, owner, at), null),
    endBlobPurge: (digests, owner) => e.write(() => gcBlobs.endBlobPurge(digests, owner), null),
    takeOverPurges: (before, owner, at, limit) => e.write(() => gcBlobs.takeOverPurges(before, owner, at, limit)),
    gcStats: (clock) => e.read(() => inspect.gcStats(clock)),
    forecastBlobs: (clock, collected, limit) => e.read(() => forecastBlobs(clock, collected, limit)),
    listBlobRecords: (after, limit) => e.read(() => inspect.listBlobRecords(after, limit)),
    blobState: (digest) => e.read(() => inspect.blobState(digest)),
    integrityIssues: (limit) => e.read(() => inspect.integrityIssues(limit, purgeLeaseExpiry(new Date()))),
    listManifestBodies: (after, limit) => e.read(() => inspect.listManifestBodies(after, limit)),
    createRepository: (r) => e.write(() => admin.createRepository(r)),
    updateRepository: (name, change, actor, at) => e.write(() => admin.updateRepository(name, change, actor, at)),
    repositoryExtras: (name) => e.cached(`x\0${name}`, () => admin.repositoryExtras(name)),
    repositoryPolicy: (name) => e.cached(`p\0${name}`, () => admin.repositoryPolicy(name)),
    repositoryPolicies: (names) => e.read(() => admin.repositoryPolicies(names)),
    repositoriesWithExtras: (names) => e.read(() => admin.repositoriesWithExtras(names)),
    listImages: (repository, q) => e.read(() => admin.listImages(repository, q)),
    findImages: (repository, digests) => e.read(() => admin.findImages(repository, digests)),
    indexParents: (repository, digest) => e.read(() => admin.indexParents(repository, digest)),
    createNamespace: (ns) => e.write(() => namespaces.createNamespace(ns)),
    findNamespace: (name) => e.read(() => namespaces.findNamespace(name)),
    listNamespaces: (q) => e.read(() => namespaces.listNamespaces(q)),
    deleteNamespace: (name, actor, at) => e.write(() => namespaces.deleteNamespace(name, actor, at)),
    listRepositorySummaries: (f) => e.read(() => browse.listRepositorySummaries(f)),
    repositorySummary: (name) => e.read(() => browse.repositorySummary(name)),
    repositorySummaries: (names) => e.read(() => browse.repositorySummaries(names)),
    findRepositoryById: (id) => e.read(() => browse.findRepositoryById(id)),
    listTagDetails: (repository, q) => e.read(() => browse.listTagDetails(repository, q)),
    searchRepositoryNames: (q) => e.read(() => consoleRepos.searchRepositoryNames(q)),
    repositoryUsage: (names) => e.read(() => consoleRepos.repositoryUsage(names)),
    searchTags: (repository, q) => e.read(() => consoleManifests.searchTags(repository, q)),
    listManifestDigests: (repository, q) => e.read(() => consoleManifests.listManifestDigests(repository, q)),
    manifestFacts: (repository, digests) => e.read(() => consoleManifests.manifestFacts(repository, digests)),
    pinsProtecting: (repository, digests, policy, at) => e.read(() => consoleManifests.pinsProtecting(repository, digests, policy, at)),
    deletePreviewFacts: (repository, target, q) => e.read(() => deletePreviewFacts(repository, target, q)),
    listDeletedManifests: (repository, since, page) => e.read(() => trash.listDeletedManifests(repository, since, page)),
    findTagDetail: (repository, tag) => e.read(() => browse.findTagDetail(repository, tag)),
    claimClientToken: (key, fingerprint, at, limits) => e.write(() => ledger.claimClientToken(key, fingerprint, at, limits), `token:${key}`),
    completeClientToken: (key, fingerprint, answer) => e.single(() => ledger.completeClientToken(key, fingerprint, answer)),
    releaseClientToken: (key, fingerprint) => e.single(() => ledger.releaseClientToken(key, fingerprint)),
    useNonce: (key, at, validSince) => e.single(() => ledger.useNonce(key, at, validSince)),
    pruneRequestLedger: (before, limit) => e.write(() => ledger.pruneRequestLedger(before, limit), null),
    findLifecyclePolicy: (scope, name) => e.read(() => lifecycle.findLifecyclePolicy(scope, name)),
    listLifecyclePolicies: (page) => e.read(() => lifecycle.listLifecyclePolicies(page)),
    putLifecyclePolicy: (p) => e.write(() => lifecycle.putLifecyclePolicy(p)),
    deleteLifecyclePolicy: (scope, name, actor, at) => e.write(() => lifecycle.deleteLifecyclePolicy(scope, name, actor, at)),
    markLifecycleEvaluated: (scope, name, at) => e.single(() => lifecycle.markLifecycleEvaluated(scope, name, at)),
    listLifecycleImages: (repository, page) => e.read(() => lifecycle.listLifecycleImages(repository, page)),
    lifecycleProtection: (repository, at, pulledSince) => e.read(() => lifecycle.lifecycleProtection(repository, at, pulledSince)),
    pullsRecordedSince: () => e.read(() => lifecycle.pullsRecordedSince()),
    saveLifecyclePreview: (p) => e.write(() => lifecycleWire.saveLifecyclePreview(p)),
    findLifecyclePreview: (repository) => e.read(() => lifecycleWire.findLifecyclePreview(repository)),
    deleteLifecyclePreview: (repository) => e.write(() => lifecycleWire.deleteLifecyclePreview(repository)),
    recordLifecycleRemovals: (records, keep) => e.write(() => lifecycleWire.recordLifecycleRemovals(records, keep)),
    listLifecycleRemovals: (repository, page) => e.read(() => lifecycleWire.listLifecycleRemovals(repository, page)),
    // The pass history is not registry state: its writes take no registry lock, so recording never delays a push.
    startGcPass: (p) => e.write(() => gcPasses.startGcPass(p), 'gc-passes'),
    progressGcPass: (id, progress, at, leaseUntil) => e.single(() => gcPasses.progressGcPass(id, progress, at, leaseUntil)),
    finishGcPass: (id, end, at) => e.single(() => gcPasses.finishGcPass(id, end, at)),
    findGcPass: (id, now) => e.read(() => gcPasses.findGcPass(id, now)),
    listGcPasses: (page, now) => e.read(() => gcPasses.listGcPasses(page, now)),
    lastDoneGcPass: () => e.read(() => gcPasses.lastDoneGcPass()),
    gcReclaimedByDay: (since) => e.read(() => gcPasses.gcReclaimedByDay(since)),
    ping: () => e.ping(),
    ...(e.onLockWait ? { onLockWait: e.onLockWait } : {}),
    close: () => e.close(),
  };
}
