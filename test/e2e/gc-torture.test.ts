// Online GC under fire, bounded for CI (about a minute): berth as a real process with a 1 s grace period and GC
// every 200 ms, four clients pushing images that share layers, pulling, deleting, re-pushing, and SIGKILLs at random
// points; then every live manifest must pull completely, every acknowledged tag must have survived, fsck must be
// clean and GC with grace 0 must leave exactly the bytes live manifests use. TORTURE_SEED replays a failed run's
// choices; `npm run torture` runs the same engine for minutes.
import { test } from 'node:test';
import { runCiTorture } from '../torture/ci-run.ts';

test('GC torture: concurrent pushes, pulls and deletes, SIGKILLs, online GC; nothing acknowledged is lost, no byte leaks', { timeout: 240_000 }, async (t) => {
  await runCiTorture(
    t,
    'gc-torture',
    {},
    {
      kills: 3,
      pushesAcked: 200,
      pulls: 50,
      blobsVerified: 100,
      deletes: 50,
      repoDeletes: 3,
      reclaimedBlobs: 100,
    },
  );
});
