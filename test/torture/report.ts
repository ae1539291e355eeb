// The torture run's short summary: what the clients did, what GC did meanwhile, what the end-of-run checks found,
// and the seed to replay it with.
import type { TortureResult } from './engine.ts';

const kib = (n: number): string => `${(n / 1024).toFixed(0)} KiB`;
const orNa = (n: number | null, f: (n: number) => string = String): string => (n === null ? 'n/a (not exported)' : f(n));

export function formatSummary(r: TortureResult): string {
  const s = r.stats;
  const fsck = r.verify.fsck;
  const finalGc = r.verify.finalGc;
  const lines = [
    `torture seed ${r.seed}: ${r.ok ? 'OK' : `FAILED (${r.violations.length} violation(s))`} in ${(r.wallMs / 1000).toFixed(1)} s`,
    `  load     ${s.ops} ops, ${r.requests} requests; pushes ${s.pushesAcked} acked / ${s.pushesFailed} failed / ${s.pushesUnknown} unknown ` +
      `(${s.indexes} indexes, ${s.referrers} referrers, ${s.repushes} re-pushes of deleted images), ${s.blobUploads} blob uploads, ${s.mounts} mounts`,
    `           pulls ${s.pulls} (${s.blobsVerified} blobs verified); deletes: ${s.tagDeletes} tags, ${s.manifestDeletes} manifests, ${s.blobDeletes} blobs, ${s.repoDeletes} repositories; ` +
      `${s.orphanBlobs} orphan blobs, ${s.abandonedUploads} abandoned uploads`,
    `  crashes  ${r.kills} SIGKILLs; ${s.unknownOutcomes} unknown outcomes retried; ${s.manifestBlobUnknown} MANIFEST_BLOB_UNKNOWN re-uploads; ` +
      `${s.tooManyRequests} 429s; ${r.serverErrors} 5xx`,
    `  online gc passes ${orNa(r.gc.passes)}, blobs removed ${orNa(r.gc.blobsRemoved)}, bytes reclaimed ${orNa(r.gc.bytesReclaimed, kib)}; ` +
      `${r.gc.manifestsCollectedByGc} manifests trashed by GC; a second in-process sweeper ran ${r.gc.sideSweeps.passes} passes ` +
      `(${r.gc.sideSweeps.blobs} blobs) and SIGKILLed ${r.gc.sideSweeps.killedCli} berth gc / fsck --repair children mid-run; ${r.reclaimedDuringRun.blobs} of ${r.reclaimedDuringRun.of} pushed blobs ` +
      `(${kib(r.reclaimedDuringRun.bytes)}) gone from disk at the end of the load`,
    `  checks   ${r.verify.tagsChecked} acknowledged tags, ${r.verify.manifestsChecked} live manifests, ${r.verify.blobsChecked} blobs pulled and verified ` +
      `(${r.verify.danglingChildrenExplained} index children deleted by their client); fsck ${fsck ? (fsck.ok ? 'ok' : 'NOT ok') : 'not run'}` +
      `${fsck ? ` (${fsck.blobsChecked} blobs, ${fsck.filesChecked} files, ${fsck.manifestsChecked} manifests)` : ''}`,
    `  final gc ${finalGc.length} pass(es) with grace 0: ${finalGc.reduce((n, g) => n + g.blobsRemoved, 0)} blobs, ` +
      `${kib(finalGc.reduce((n, g) => n + g.bytesReclaimed, 0))}; ` +
      `${r.verify.keptByPurgeMarkers} files kept by stale purge markers; ${r.verify.blobFilesLeft} blob files left, all used by live manifests; ` +
      `after deleting every repository ${r.verify.blobAreaLeft} files/objects left in the blob area`,
    ...r.notes.map((n) => `  note     ${n}`),
    ...r.violations.map((v) => `  VIOLATION ${v}`),
  ];
  if (!r.ok) lines.push(`  data dir kept: ${r.dataDir}`, `  replay: ${r.replay}`);
  return lines.join('\n');
}
