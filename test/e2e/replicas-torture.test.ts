// The GC torture pointed at replicas, bounded for CI (~40 s of load): three berth processes on shared stores behind
// the round-robin proxy, each running online GC every 200 ms with a 1 s grace period, plus a sweeper in this process;
// four clients push shared layers, pull, delete and re-push through the proxy while one replica at a time is
// SIGKILLed. Then every live manifest must pull, every acknowledged tag must have survived, fsck must be clean and GC
// with grace 0 must leave exactly the bytes live manifests use. TORTURE_SEED replays a run's choices;
// `npm run torture -- --replicas 3` runs it for minutes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDuration } from '../../src/config/index.ts';
import { DEFAULTS, runTorture } from '../torture/engine.ts';
import { randomSeed } from '../torture/prng.ts';
import { formatSummary } from '../torture/report.ts';
import { backendSkip, replicaBackend } from './replicas-stores.ts';

const backend = replicaBackend();
const skip = await backendSkip(backend);

test(`replica torture on ${backend}: GC on every replica, kills one at a time; nothing acknowledged is lost, no byte leaks`, { skip, timeout: 240_000 }, async (t) => {
  const seed = process.env.TORTURE_SEED !== undefined ? Number(process.env.TORTURE_SEED) >>> 0 : randomSeed();
  process.stderr.write(`replicas-torture: seed ${seed} (replay with TORTURE_SEED=${seed})\n`);
  const result = await runTorture({
    ...DEFAULTS,
    seed,
    replicas: 3,
    backend,
    durationMs: process.env.TORTURE_DURATION ? parseDuration(process.env.TORTURE_DURATION) : 40_000,
    killEveryMs: [2_000, 5_000],
    log: () => undefined,
  });
  const summary = formatSummary(result);
  for (const line of summary.split('\n')) t.diagnostic(line);
  assert.ok(result.ok, summary);
  // The run must really have raced GC across replicas, or a green result means nothing.
  const s = result.stats;
  assert.ok(result.kills >= 4, `only ${result.kills} SIGKILLs\n${summary}`);
  assert.ok(s.pushesAcked >= 100 && s.pulls >= 30 && s.blobsVerified >= 50, `too little load\n${summary}`);
  assert.ok(s.tagDeletes + s.manifestDeletes >= 30 && s.repoDeletes >= 1, `too few deletes\n${summary}`);
  assert.ok(result.reclaimedDuringRun.blobs >= 50, `online GC reclaimed only ${result.reclaimedDuringRun.blobs} blobs during the load\n${summary}`);
  assert.ok((result.gc.passes ?? 0) >= 20, `too few GC passes over the replicas\n${summary}`);
  assert.ok(result.verify.manifestsChecked > 0 && result.verify.tagsChecked > 0, `nothing left to verify\n${summary}`);
});
