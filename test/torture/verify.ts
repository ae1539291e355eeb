// The end-of-run checks, on the data a crashed berth (or every crashed replica) left behind: (a) every live manifest
// pulls and every blob it names downloads and hashes right, (b) every acknowledged, never-deleted tag still points at
// its digest, (c) fsck is clean, (d) after GC with grace 0 the blob files are exactly the blob rows and only live
// manifests hold blobs. The metadata is read through the store's ports (store-views.ts), so any backend is checked alike.
import type { Digest, RegistryDeps } from '../../src/core/index.ts';
import { deleteRepository, type FsckReport, type GcReport, PURGE_LEASE_MS, runFsck, runGc } from '../../src/core/index.ts';
import { runBerth } from '../e2e/harness.ts';
import { blobAreaContents } from './blob-area.ts';
import { ACCEPT } from './content.ts';
import { sha256, type TortureHttp } from './http.ts';
import type { RepoModel } from './model.ts';
import { blobsOf, explain, leftovers, liveManifests, liveRepositories, unusedBlobs } from './store-views.ts';

export interface VerifyInput {
  http: TortureHttp;
  deps: RegistryDeps;
  repos: RepoModel[];
  violation(message: string): void;
  note(message: string): void;
  /** Store flags and environment of a `berth` CLI child on the same stores. */
  stores: { args: string[]; env: Record<string, string> };
  /** uploads.ownerLease of the servers (ms). */
  ownerLeaseMs: number;
}

export interface VerifySummary {
  tagsChecked: number;
  manifestsChecked: number;
  blobsChecked: number;
  danglingChildrenExplained: number;
  fsck: FsckReport | null;
  finalGc: GcReport[];
  keptByPurgeMarkers: number;
  blobFilesLeft: number;
  /** What the blob area held after every repository was deleted and GC ran (must be nothing). */
  blobAreaLeft: number;
}

/** (b): runs against a restarted server with GC off, so nothing moves while it reads. */
export async function checkAcknowledgedTags(v: VerifyInput): Promise<number> {
  let checked = 0;
  await inParallel(
    v.repos.flatMap((r) => [...r.tags].filter(([, t]) => t.certain).map(([tag, t]) => ({ r, tag, digest: t.digest }))),
    8,
    async ({ r, tag, digest }) => {
      const got = await v.http.send({ method: 'GET', target: `/v2/${r.name}/manifests/${tag}`, headers: { accept: ACCEPT } });
      checked++;
      if (got.status !== 200)
        v.violation(
          `after the last SIGKILL: ${r.name}:${tag} answered ${got.status} ${got.code ?? ''}; it was acknowledged for ${digest} and never deleted; ${await explain(v.deps, r.name, digest)}`,
        );
      else if (sha256(got.body) !== digest)
        v.violation(`after the last SIGKILL: ${r.name}:${tag} is ${sha256(got.body)}; acknowledged ${digest}; ${await explain(v.deps, r.name, digest)}`);
    },
  );
  return checked;
}

/** (a): what the metadata says is live, listed through the store's ports, must pull completely. */
export async function checkLiveManifests(v: VerifyInput): Promise<{ manifests: number; blobs: number; danglingExplained: number }> {
  const live = await liveManifests(v.deps);
  const liveSet = new Set(live.map((m) => `${m.repository} ${m.digest}`));
  const byName = new Map(v.repos.map((r) => [r.name, r]));
  const seenBlobs = new Set<string>();
  let blobs = 0;
  let danglingExplained = 0;
  await inParallel(live, 8, async (m) => {
    const got = await v.http.send({ method: 'GET', target: `/v2/${m.repository}/manifests/${m.digest}`, headers: { accept: ACCEPT } });
    if (got.status !== 200 || sha256(got.body) !== m.digest) {
      v.violation(`live manifest ${m.repository}@${m.digest} answered ${got.status} (body ${sha256(got.body)})`);
      return;
    }
    const doc = JSON.parse(got.body.toString('utf8')) as { manifests?: Array<{ digest: string }> };
    for (const child of doc.manifests ?? []) {
      if (liveSet.has(`${m.repository} ${child.digest}`)) continue;
      if (byName.get(m.repository)?.deleted.has(child.digest)) danglingExplained++;
      else v.violation(`live index ${m.repository}@${m.digest}: child ${child.digest} is gone, and its client never deleted it`);
    }
    for (const { digest, size } of blobsOf(got.body)) {
      const key = `${m.repository} ${digest}`;
      if (seenBlobs.has(key)) continue;
      seenBlobs.add(key);
      const blob = await v.http.send({ method: 'GET', target: `/v2/${m.repository}/blobs/${digest}` });
      blobs++;
      if (blob.status !== 200 || sha256(blob.body) !== digest || blob.body.length !== size) {
        v.violation(`live manifest ${m.repository}@${m.digest}: blob ${digest} answered ${blob.status} (${blob.body.length} bytes, hash ${sha256(blob.body)})`);
      }
    }
  });
  return { manifests: live.length, blobs, danglingExplained };
}

/** (c) and (d), in-process on the stopped server's data; then (e). */
export async function checkStorage(v: VerifyInput, s: VerifySummary): Promise<void> {
  // Every berth process is dead: once their leases are over, `berth gc` expires the sessions they left (no day-long wait).
  await new Promise((r) => setTimeout(r, v.ownerLeaseMs + 1_000));
  const cli = await runBerth(['gc', '--grace', '0', '--json', ...v.stores.args], v.stores.env);
  if (cli.code !== 0) v.violation(`berth gc after the run exited ${cli.code}: ${cli.stderr.slice(0, 500)}`);
  const fsck = await runFsck(v.deps, { repair: false, ownerLeaseMs: v.ownerLeaseMs });
  s.fsck = fsck;
  if (!fsck.ok) v.violation(`fsck after the run is not ok: ${describeFsck(fsck)}`);
  else if (fsck.orphanFiles.length + fsck.orphanUploads.length > 0)
    v.note(`fsck: ${fsck.orphanFiles.length} orphan files, ${fsck.orphanUploads.length} orphan upload areas`);

  const gc = (deps: RegistryDeps): Promise<GcReport> => runGc(deps, { graceMs: 0, restoreWindowMs: 0, dryRun: false });

  s.finalGc.push(await gc(v.deps));
  const first = await compareFilesAndRows(v.deps);
  s.keptByPurgeMarkers = first.keptByMarkers.length;
  for (const d of first.orphans) v.violation(`after one GC pass with grace 0: blob file ${d} has no blob row and no purge marker (orphan bytes)`);
  for (const d of first.missing) v.violation(`after one GC pass with grace 0: blob row ${d} has no file`);

  // A deleted index frees its children only when its own rows go, so reclaiming a chain takes one pass per level.
  for (let i = 0; i < 8; i++) {
    await new Promise((r) => setTimeout(r, 3));
    const r = await gc(v.deps);
    s.finalGc.push(r);
    if (r.blobsRemoved + r.manifestsCollected + r.manifestsPurged + r.repositoryManifestsPurged + r.repositoriesPurged === 0) break;
  }
  // A sweeper killed in the last PURGE_LEASE_MS may have left markers whose bytes are already gone (nothing kept, yet
  // a row left): both kinds are taken over once the lease is over, so run one pass as if it were.
  const markers = (await leftovers(v.deps)).purges;
  if (s.keptByPurgeMarkers > 0 || markers > 0) {
    v.note(
      `${markers} purge marker(s) a killed sweeper left (${s.keptByPurgeMarkers} keeping a blob file); GC takes them over once their lease (${PURGE_LEASE_MS / 1000} s) is over, and an upload of such a digest takes the marker over itself`,
    );
    const later = { ...v.deps, clock: { now: () => new Date(Date.now() + PURGE_LEASE_MS + 1_000) } };
    s.finalGc.push(await gc(later));
  }
  const last = await compareFilesAndRows(v.deps);
  for (const d of [...last.orphans, ...last.keptByMarkers]) v.violation(`after GC to a fixpoint: blob file ${d} has no blob row (orphan bytes)`);
  for (const d of last.missing) v.violation(`after GC to a fixpoint: blob row ${d} has no file`);
  s.blobFilesLeft = last.files;

  for (const d of await unusedBlobs(v.deps)) v.violation(`after GC to a fixpoint with grace 0: blob ${d} is used by no live manifest but is still stored`);
  for (const [what, n] of Object.entries(await leftovers(v.deps))) {
    if (n > 0) v.violation(`after GC to a fixpoint with grace 0 and restore window 0: ${n} ${what} left`);
  }
  const again = await runFsck(v.deps, { repair: false, ownerLeaseMs: v.ownerLeaseMs });
  if (!again.ok || again.orphanFiles.length + again.orphanUploads.length > 0) v.violation(`fsck after the final GC: ${describeFsck(again)}`);
  await checkEmptyAfterDeletes(v, s);
}

/** (e) Every repository deleted, GC to a fixpoint: the blob area (files, upload areas, S3 objects and multipart) is empty. */
async function checkEmptyAfterDeletes(v: VerifyInput, s: VerifySummary): Promise<void> {
  for (const name of await liveRepositories(v.deps)) await deleteRepository(v.deps, name, true, { principal: 'torture', dialect: 'cli' });
  // Markers a killed sweeper left are taken over once their lease is over: run as if it were.
  const later = { ...v.deps, clock: { now: () => new Date(Date.now() + PURGE_LEASE_MS + 1_000) } };
  for (let i = 0; i < 8; i++) {
    const r = await runGc(later, { graceMs: 0, restoreWindowMs: 0, dryRun: false });
    s.finalGc.push(r);
    if (r.blobsRemoved + r.manifestsCollected + r.manifestsPurged + r.repositoryManifestsPurged + r.repositoriesPurged === 0) break;
  }
  // Every berth process is dead, so nothing is in flight and a stray of any age is a leftover (strayAgeMs 0). Two kinds
  // a crash may leave: a killed commit's copy (a multipart upload under blobs/), and on S3 what a committed upload's
  // folder still holds once its marker went with the commit (a killed append's part or multipart upload the commit
  // did not know). `berth fsck --repair` removes them once older than --stray-age: do that now; any other is a bug.
  const swept = await runFsck(later, { repair: false, ownerLeaseMs: v.ownerLeaseMs, strayAgeMs: 0 });
  // What the repair below would also remove must already be gone: GC and expiry alone have to get there.
  if (swept.orphanFiles.length + swept.orphanUploads.length + swept.abandonedUploads.length > 0)
    v.violation(`fsck after deleting everything: ${describeFsck(swept)}`);
  const strays = swept.strays;
  const killedCopies = strays.filter((x) => x.kind === 'multipart' && /(^|\/)blobs\/sha(256|512)\/[0-9a-f]+$/.test(x.key));
  const leftAppends = strays.filter((x) => x.kind !== 'file' && /(^|\/)uploads\/[0-9a-f-]{36}\/\d{16}\.[0-9a-f]{12}$/.test(x.key));
  for (const x of strays)
    if (!killedCopies.includes(x) && !leftAppends.includes(x)) v.violation(`after deleting every repository and GC to a fixpoint: stray ${x.kind} ${x.key}`);
  if (killedCopies.length + leftAppends.length > 0) {
    v.note(
      `${killedCopies.length} unfinished multipart copies of killed commits under blobs/, ${leftAppends.length} appends killed or lost in committed uploads: removed by fsck --repair --stray-age 0`,
    );
    await runFsck(later, { repair: true, ownerLeaseMs: v.ownerLeaseMs, strayAgeMs: 0 });
  }
  const left = await blobAreaContents(v.stores);
  s.blobAreaLeft = left.length;
  for (const what of left) v.violation(`after deleting every repository and GC to a fixpoint: ${what} is left in the blob area`);
  const fsck = await runFsck(v.deps, { repair: false, ownerLeaseMs: v.ownerLeaseMs, strayAgeMs: 0 });
  if (!fsck.ok || fsck.abandonedUploads.length > 0) v.violation(`fsck after deleting everything: ${describeFsck(fsck)}`);
}

async function compareFilesAndRows(deps: RegistryDeps): Promise<{ files: number; orphans: Digest[]; keptByMarkers: Digest[]; missing: string[] }> {
  const files = new Set<Digest>();
  for await (const d of deps.blobs.list()) files.add(d);
  const rows = new Set<Digest>();
  for (let after: Digest | undefined; ; ) {
    const page = await deps.meta.listBlobRecords(after, 1000);
    if (page.length === 0) break;
    for (const b of page) rows.add(b.digest);
    after = page.at(-1)!.digest;
  }
  const orphans: Digest[] = [];
  const keptByMarkers: Digest[] = [];
  for (const d of files) {
    if (rows.has(d)) continue;
    if ((await deps.meta.blobState(d)) === 'purging') keptByMarkers.push(d);
    else orphans.push(d);
  }
  return { files: files.size, orphans, keptByMarkers, missing: [...rows].filter((d) => !files.has(d)) };
}

export function describeFsck(r: FsckReport): string {
  return JSON.stringify({
    ok: r.ok,
    missingBlobs: r.missingBlobs.slice(0, 5),
    wrongSizes: r.wrongSizes.slice(0, 5),
    orphanFiles: r.orphanFiles.slice(0, 5),
    orphanUploads: r.orphanUploads.slice(0, 5),
    abandonedUploads: r.abandonedUploads.slice(0, 5),
    strays: r.strays.slice(0, 5).map((x) => `${x.kind} ${x.key}`),
    manifestMismatches: r.manifestMismatches.slice(0, 5),
    integrity: r.integrity.slice(0, 5),
  });
}

/** Runs `fn` over `items` with at most `width` in flight. */
export async function inParallel<T>(items: readonly T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}
