// `berth fsck`: checks the metadata against the bytes (missing blobs, wrong sizes, orphan files and upload areas,
// strays, broken references, manifest bodies that do not hash to their digest) and, with repair, removes orphans
// through the same purge markers GC uses, so a repair racing a push can never remove the bytes the push just committed,
// and strays only once they are older than anything in flight can be.
import { createHash } from 'node:crypto';
import { algorithmOf, type Digest } from '../../model/digest.ts';
import type { Stray } from '../../ports/blob-store.ts';
import type { IntegrityIssue } from '../../ports/gc-store.ts';
import type { RegistryDeps, UsesBlobs, UsesMeta } from '../deps.ts';
import { DEFAULT_OWNER_LEASE_MS } from '../process-lease.ts';
import { newPurgeOwner, type PurgeDeps, removePurgedBytes } from '../purge-lease.ts';
import { expireAbandonedUploads } from '../upload-blob.ts';

export interface FsckReport {
  blobsChecked: number;
  filesChecked: number;
  manifestsChecked: number;
  missingBlobs: Array<{ digest: Digest; size: number }>;
  wrongSizes: Array<{ digest: Digest; expected: number; actual: number }>;
  orphanFiles: Digest[];
  orphanUploads: string[];
  /** Sessions whose process is known dead (lease run out) and idle as long: their areas and claims are leftovers. */
  abandonedUploads: string[];
  /** What the blob store holds that is neither a blob nor an upload area, older than the stray age (see FsckOptions). */
  strays: Stray[];
  manifestMismatches: Array<{ repository: string; digest: Digest; actual: string }>;
  integrity: IntegrityIssue[];
  repaired: { orphanFiles: number; orphanUploads: number; abandonedUploads: number; strays: number };
  ok: boolean;
}

/** fsck reads everything; with repair it removes orphans only, through purge markers. */
export type FsckDeps = PurgeDeps &
  UsesMeta<
    | 'listBlobRecords'
    | 'blobState'
    | 'getUpload'
    | 'listManifestBodies'
    | 'integrityIssues'
    | 'beginOrphanPurge'
    | 'listAbandonedUploads'
    | 'expireAbandonedUpload'
  > &
  UsesBlobs<'stat' | 'list' | 'listUploads' | 'removeUpload' | 'listStrays' | 'removeStray'> &
  Pick<RegistryDeps, 'hashes'>;

export interface FsckOptions {
  repair: boolean;
  /** uploads.ownerLease: a session whose owner's lease is this much over, idle as long, is abandoned (default 30 s). */
  ownerLeaseMs?: number;
  /**
   * Strays younger than this are not reported (default 1 h, DEFAULT_STRAY_AGE_MS): a commit in flight on S3 has the
   * shape of a stray (a multipart upload under blobs/) until it completes, and the longest legitimate commit (a
   * multi-GiB blob copied or streamed within the store) takes minutes. 0 only for a store nothing is writing to.
   */
  strayAgeMs?: number;
  onProgress?: (checked: number) => void;
}

export const DEFAULT_STRAY_AGE_MS = 3_600_000;

const PAGE = 1_000;
/** Findings listed per kind; a store with more problems than this needs a person, not a longer report. */
const MAX_LISTED = 10_000;

export async function runFsck(deps: FsckDeps, o: FsckOptions): Promise<FsckReport> {
  const r: FsckReport = {
    blobsChecked: 0,
    filesChecked: 0,
    manifestsChecked: 0,
    missingBlobs: [],
    wrongSizes: [],
    orphanFiles: [],
    orphanUploads: [],
    abandonedUploads: [],
    strays: [],
    manifestMismatches: [],
    integrity: [],
    repaired: { orphanFiles: 0, orphanUploads: 0, abandonedUploads: 0, strays: 0 },
    ok: true,
  };
  await checkBlobRecords(deps, r, o.onProgress);
  await checkFiles(deps, r, o.onProgress);
  await checkUploads(deps, r);
  await checkStrays(deps, r, o.strayAgeMs ?? DEFAULT_STRAY_AGE_MS);
  const leaseMs = o.ownerLeaseMs ?? DEFAULT_OWNER_LEASE_MS;
  const now = deps.clock.now();
  r.abandonedUploads = (await deps.meta.listAbandonedUploads(new Date(now.getTime() - leaseMs), now, MAX_LISTED)).map((u) => u.id);
  await checkManifests(deps, r);
  r.integrity = await deps.meta.integrityIssues(MAX_LISTED);
  if (o.repair) {
    // First the abandoned sessions (compare-and-delete, bytes and claimed commits through purge markers), then orphans.
    if (r.abandonedUploads.length > 0) r.repaired.abandonedUploads = Math.min(r.abandonedUploads.length, await expireAbandonedUploads(deps, leaseMs));
    await repair(deps, r);
  }
  // A purge a killed sweeper left (its marker past the lease) is pending work the next GC pass finishes, not damage:
  // listed, but it does not make the store unhealthy (a slow machine can see one right after a crash).
  const damage = r.integrity.filter((i) => i.kind !== 'stale-purge').length;
  r.ok =
    r.missingBlobs.length + r.wrongSizes.length + r.manifestMismatches.length + damage === 0 &&
    r.orphanFiles.length === r.repaired.orphanFiles &&
    r.orphanUploads.length === r.repaired.orphanUploads &&
    (r.strays.length === 0 || o.repair) &&
    r.abandonedUploads.length <= r.repaired.abandonedUploads;
  return r;
}

async function checkBlobRecords(deps: FsckDeps, r: FsckReport, onProgress?: (n: number) => void): Promise<void> {
  let after: Digest | undefined;
  for (;;) {
    const page = await deps.meta.listBlobRecords(after, PAGE);
    if (page.length === 0) return;
    for (const b of page) {
      const actual = await deps.blobs.stat(b.digest);
      // A blob removed between the listing and the stat was purged by GC meanwhile: only a still-known one is missing.
      if (actual === null && (await deps.meta.blobState(b.digest)) === 'known' && r.missingBlobs.length < MAX_LISTED) r.missingBlobs.push(b);
      else if (actual !== null && actual !== b.size && r.wrongSizes.length < MAX_LISTED) r.wrongSizes.push({ digest: b.digest, expected: b.size, actual });
    }
    r.blobsChecked += page.length;
    onProgress?.(r.blobsChecked);
    after = page.at(-1)!.digest;
  }
}

async function checkFiles(deps: FsckDeps, r: FsckReport, onProgress?: (n: number) => void): Promise<void> {
  for await (const digest of deps.blobs.list()) {
    r.filesChecked++;
    if (r.filesChecked % PAGE === 0) onProgress?.(r.blobsChecked + r.filesChecked);
    // Purging: GC is removing it. Claimed: an upload is committing it right now. Neither is an orphan.
    // A file GC removed between the listing and this check is simply gone, not an orphan.
    if ((await deps.meta.blobState(digest)) === 'unknown' && (await deps.blobs.stat(digest)) !== null && r.orphanFiles.length < MAX_LISTED) {
      r.orphanFiles.push(digest);
    }
  }
}

async function checkUploads(deps: FsckDeps, r: FsckReport): Promise<void> {
  for await (const id of deps.blobs.listUploads()) {
    if (!(await deps.meta.getUpload(id)) && r.orphanUploads.length < MAX_LISTED) r.orphanUploads.push(id);
  }
}

async function checkStrays(deps: FsckDeps, r: FsckReport, ageMs: number): Promise<void> {
  const before = deps.clock.now().getTime() - ageMs;
  for await (const stray of deps.blobs.listStrays()) {
    if (stray.modifiedAt.getTime() <= before && r.strays.length < MAX_LISTED) r.strays.push(stray);
  }
}

async function checkManifests(deps: FsckDeps, r: FsckReport): Promise<void> {
  let after: string | undefined;
  do {
    const page = await deps.meta.listManifestBodies(after, PAGE);
    for (const m of page.items) {
      const algorithm = algorithmOf(m.digest);
      const actual = `${algorithm}:${createHash(algorithm).update(m.body).digest('hex')}`;
      if (actual !== m.digest && r.manifestMismatches.length < MAX_LISTED) r.manifestMismatches.push({ repository: m.repository, digest: m.digest, actual });
    }
    r.manifestsChecked += page.items.length;
    after = page.next;
  } while (after !== undefined);
}

/** Orphans and strays only: re-checked at removal time (an upload area created a moment ago gets its session a moment later). */
async function repair(deps: FsckDeps, r: FsckReport): Promise<void> {
  for (let i = 0; i < r.orphanFiles.length; i += PAGE) {
    const owner = newPurgeOwner();
    const approved = await deps.meta.beginOrphanPurge(r.orphanFiles.slice(i, i + PAGE), deps.clock.now(), owner);
    r.repaired.orphanFiles += (await removePurgedBytes(deps, approved, owner)).removed.size;
  }
  for (const id of r.orphanUploads) {
    if (await deps.meta.getUpload(id)) continue;
    await deps.blobs.removeUpload(id);
    r.repaired.orphanUploads++;
  }
  // A stray is nothing any record or session can come to need (the store never lists a blob or an area as one). One
  // gone meanwhile, or written again since it was listed (kept: removeStray compares it with the listing, and it is
  // young again), is settled as well: not a stray this run left behind.
  for (const stray of r.strays) if (await deps.blobs.removeStray(stray)) r.repaired.strays++;
}
