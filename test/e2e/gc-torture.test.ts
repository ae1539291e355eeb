// Online GC under fire, bounded for CI (about a minute): berth as a real process with a 1 s grace period and GC
// every 200 ms, four clients pushing images that share layers, pulling, deleting, re-pushing, and SIGKILLs at random
// points; then every live manifest must pull completely, every acknowledged tag must have survived, fsck must be
// clean and GC with grace 0 must leave exactly the bytes live manifests use. TORTURE_SEED replays a failed run's
// choices; `npm run torture` runs the same engine for minutes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDuration } from '../../src/config/index.ts';
import { DEFAULTS, runTorture } from '../torture/engine.ts';
import { randomSeed } from '../torture/prng.ts';
import { formatSummary } from '../torture/report.ts';

test('GC torture: concurrent pushes, pulls and deletes, SIGKILLs, online GC; nothing acknowledged is lost, no byte leaks', { timeout: 240_000 }, async (t) => {
  const seed = process.env.TORTURE_SEED !== undefined ? Number(process.env.TORTURE_SEED) >>> 0 : randomSeed();
  process.stderr.write(`gc-torture: seed ${seed} (replay with TORTURE_SEED=${seed})\n`);
  const result = await runTorture({
    ...DEFAULTS,
    seed,
    durationMs: process.env.TORTURE_DURATION ? parseDuration(process.env.TORTURE_DURATION) : 40_000,
    killEveryMs: [2_000, 5_000],
    log: () => undefined,
  });
  const summary = formatSummary(result);
  for (const line of summary.split('\n')) t.diagnostic(line);
  assert.ok(result.ok, summary);
  // The run must really have raced GC, or a green result means nothing.
  const s = result.stats;
  assert.ok(result.kills >= 3, `only ${result.kills} SIGKILLs\n${summary}`);
  assert.ok(s.pushesAcked >= 200 && s.pulls >= 50 && s.blobsVerified >= 100, `too little load\n${summary}`);
  assert.ok(s.tagDeletes + s.manifestDeletes >= 50 && s.repoDeletes >= 3, `too few deletes\n${summary}`);
  assert.ok(result.reclaimedDuringRun.blobs >= 100, `online GC reclaimed only ${result.reclaimedDuringRun.blobs} blobs during the load\n${summary}`);
  assert.ok(result.verify.manifestsChecked > 0 && result.verify.tagsChecked > 0, `nothing left to verify\n${summary}`);
});
