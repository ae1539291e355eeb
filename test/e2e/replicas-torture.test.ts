// The GC torture pointed at replicas, bounded for CI (~40 s of load): three berth processes on shared stores behind
// the round-robin proxy, each running online GC every 200 ms with a 1 s grace period, plus a sweeper in this process;
// four clients push shared layers, pull, delete and re-push through the proxy while one replica at a time is
// SIGKILLed. Then every live manifest must pull, every acknowledged tag must have survived, fsck must be clean and GC
// with grace 0 must leave exactly the bytes live manifests use. TORTURE_SEED replays a run's choices;
// `npm run torture -- --replicas 3` runs it for minutes.
import { test } from 'node:test';
import { runCiTorture } from '../torture/ci-run.ts';
import { backendSkip, replicaBackend } from './replicas-stores.ts';

const backend = replicaBackend();
const skip = await backendSkip(backend);

test(`replica torture on ${backend}: GC on every replica, kills one at a time; nothing acknowledged is lost, no byte leaks`, {
  skip,
  timeout: 240_000,
}, async (t) => {
  // Across replicas: more kills, and GC passes on every replica; the load floors are lower (S3 pushes are slower).
  await runCiTorture(
    t,
    'replicas-torture',
    { replicas: 3, backend },
    {
      kills: 4,
      pushesAcked: 100,
      // 20, not 30: seed 1808077627 made 29 on the slow VM of 2026-12-07 (the op mix is random; blobsVerified is the floor that counts).
      pulls: 20,
      blobsVerified: 50,
      deletes: 30,
      repoDeletes: 1,
      reclaimedBlobs: 50,
      gcPasses: 20,
    },
  );
});
