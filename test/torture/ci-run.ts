// The CI-bounded torture run both torture tests share (one process, or replicas): the seed from TORTURE_SEED or fresh
// and printed for replay, 40 s of load unless TORTURE_DURATION says otherwise, the summary as test diagnostics, and
// the check that the run really raced GC (a green result from too little load would mean nothing).
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { parseDuration } from '../../src/config/index.ts';
import { DEFAULTS, runTorture, type TortureOptions, type TortureResult } from './engine.ts';
import { randomSeed } from './prng.ts';
import { formatSummary } from './report.ts';

/** The least a run must have done for its result to count. */
export interface LoadFloors {
  kills: number;
  pushesAcked: number;
  pulls: number;
  blobsVerified: number;
  deletes: number;
  repoDeletes: number;
  reclaimedBlobs: number;
  gcPasses?: number;
}

export async function runCiTorture(t: TestContext, label: string, extra: Partial<TortureOptions>, floors: LoadFloors): Promise<TortureResult> {
  const seed = process.env.TORTURE_SEED !== undefined ? Number(process.env.TORTURE_SEED) >>> 0 : randomSeed();
  process.stderr.write(`${label}: seed ${seed} (replay with TORTURE_SEED=${seed})\n`);
  const result = await runTorture({
    ...DEFAULTS,
    seed,
    durationMs: process.env.TORTURE_DURATION ? parseDuration(process.env.TORTURE_DURATION) : 40_000,
    killEveryMs: [2_000, 5_000],
    log: () => undefined,
    ...extra,
  });
  const summary = formatSummary(result);
  for (const line of summary.split('\n')) t.diagnostic(line);
  assert.ok(result.ok, summary);
  const s = result.stats;
  assert.ok(result.kills >= floors.kills, `only ${result.kills} SIGKILLs\n${summary}`);
  assert.ok(s.pushesAcked >= floors.pushesAcked && s.pulls >= floors.pulls && s.blobsVerified >= floors.blobsVerified, `too little load\n${summary}`);
  assert.ok(s.tagDeletes + s.manifestDeletes >= floors.deletes && s.repoDeletes >= floors.repoDeletes, `too few deletes\n${summary}`);
  assert.ok(
    result.reclaimedDuringRun.blobs >= floors.reclaimedBlobs,
    `online GC reclaimed only ${result.reclaimedDuringRun.blobs} blobs during the load\n${summary}`,
  );
  if (floors.gcPasses !== undefined) assert.ok((result.gc.passes ?? 0) >= floors.gcPasses, `too few GC passes\n${summary}`);
  assert.ok(result.verify.manifestsChecked > 0 && result.verify.tagsChecked > 0, `nothing left to verify\n${summary}`);
  return result;
}
