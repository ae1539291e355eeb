// The GC pass history part of the MetadataStore conformance suite: a pass recorded as running, its progress and
// lease, its end with report or error, the abandoned rule for a process that died, newest-first paging, keeping the
// newest N, and the per-day sums the console charts.
import assert from 'node:assert/strict';
import type { NewGcPass } from '../../core/index.ts';
import { at, HOUR, later } from './metadata-store.fixtures.ts';
import type { ConformanceSuite } from './metadata-store.kit.conformance.ts';

const DAY = 24 * HOUR;
const pass = (o: Partial<NewGcPass> = {}): NewGcPass => ({
  trigger: 'api',
  dryRun: false,
  replica: 'host-a:1',
  at,
  leaseUntil: later(60_000),
  keep: 1_000,
  ...o,
});
const report = (bytes: number, blobs: number) => ({
  state: 'done' as const,
  report: { bytesReclaimed: bytes, blobsRemoved: blobs, startedAt: at.toISOString() },
  totals: { bytesReclaimed: bytes, blobsRemoved: blobs },
});

export function gcHistoryCases(suite: ConformanceSuite): void {
  suite.isolated('records a pass as running, then its progress, then its report; lists newest first with paging', async (kit) => {
    const s = kit.store();
    const first = await s.startGcPass(pass({ trigger: 'cli', replica: 'host-b:7' }));
    assert.equal(first.state, 'running');
    assert.deepEqual(
      {
        trigger: first.trigger,
        dryRun: first.dryRun,
        replica: first.replica,
        startedAt: first.startedAt,
        finishedAt: first.finishedAt,
        progress: first.progress,
      },
      { trigger: 'cli', dryRun: false, replica: 'host-b:7', startedAt: at, finishedAt: null, progress: null },
    );
    await s.progressGcPass(first.id, { phase: 'blobs', done: 3, total: 10 }, later(1_000), later(61_000));
    const running = await s.findGcPass(first.id, later(2_000));
    assert.deepEqual(running?.progress, { phase: 'blobs', done: 3, total: 10 });
    assert.deepEqual(running?.updatedAt, later(1_000));
    assert.deepEqual(running?.leaseUntil, later(61_000));
    // A heartbeat without news renews the lease and keeps the last progress.
    await s.progressGcPass(first.id, null, later(1_500), later(62_000));
    assert.deepEqual((await s.findGcPass(first.id, later(2_000)))?.progress, { phase: 'blobs', done: 3, total: 10 });

    await s.finishGcPass(first.id, report(4096, 2), later(3_000));
    const done = await s.findGcPass(first.id, later(4_000));
    assert.equal(done?.state, 'done');
    assert.deepEqual(done?.finishedAt, later(3_000));
    assert.deepEqual(done?.report, { bytesReclaimed: 4096, blobsRemoved: 2, startedAt: at.toISOString() });
    assert.equal(done?.error, null);
    await s.progressGcPass(first.id, { phase: 'pins', done: 0, total: null }, later(5_000), later(65_000));
    assert.equal((await s.findGcPass(first.id, later(6_000)))?.progress?.phase, 'blobs', 'an ended pass takes no more progress');

    const dry = await s.startGcPass(pass({ dryRun: true, at: later(10_000), leaseUntil: later(70_000) }));
    await s.finishGcPass(dry.id, report(1, 1), later(11_000));
    const broken = await s.startGcPass(pass({ trigger: 'schedule', at: later(20_000), leaseUntil: later(80_000) }));
    await s.finishGcPass(broken.id, { state: 'failed', error: 'the bucket went away' }, later(21_000));
    const failed = await s.findGcPass(broken.id, later(22_000));
    assert.deepEqual([failed?.state, failed?.error, failed?.report], ['failed', 'the bucket went away', null]);

    const all = await s.listGcPasses({ limit: 10 }, later(30_000));
    assert.deepEqual(
      all.map((p) => p.id),
      [broken.id, dry.id, first.id],
    );
    assert.ok(dry.id > first.id && broken.id > dry.id, 'ids ascend');
    assert.deepEqual(
      (await s.listGcPasses({ limit: 1 }, later(30_000))).map((p) => p.id),
      [broken.id],
    );
    assert.deepEqual(
      (await s.listGcPasses({ before: broken.id, limit: 5 }, later(30_000))).map((p) => p.id),
      [dry.id, first.id],
    );
    assert.equal((await s.lastDoneGcPass())?.id, first.id, 'the newest real pass that ended well (not the dry run, not the failed one)');
    assert.equal(await s.findGcPass(broken.id + 1000, later(30_000)), null);
  });

  suite.isolated('a running pass whose lease ran out reads as failed (abandoned); the next start marks it; a late end still records', async (kit) => {
    const s = kit.store();
    assert.equal(await s.lastDoneGcPass(), null);
    const dead = await s.startGcPass(pass({ leaseUntil: later(5_000) }));
    assert.equal((await s.findGcPass(dead.id, later(4_000)))?.state, 'running', 'within its lease');
    const seen = await s.findGcPass(dead.id, later(6_000));
    assert.equal(seen?.state, 'failed');
    assert.match(seen?.error ?? '', /^abandoned/);
    assert.deepEqual(seen?.finishedAt, later(5_000), 'it ended, at the latest, when its lease did');
    assert.equal((await s.listGcPasses({ limit: 5 }, later(6_000)))[0]?.state, 'failed');

    const renewed = await s.startGcPass(pass({ at: later(1_000), leaseUntil: later(5_000) }));
    await s.progressGcPass(renewed.id, { phase: 'manifests', done: 1, total: null }, later(4_000), later(9_000));
    assert.equal((await s.findGcPass(renewed.id, later(6_000)))?.state, 'running', 'renewing moves the lease');

    await s.startGcPass(pass({ at: later(7_000), leaseUntil: later(67_000) }));
    const marked = await s.findGcPass(dead.id, at);
    assert.equal(marked?.state, 'failed', 'stored as failed, whatever the reader’s clock');
    assert.equal((await s.findGcPass(renewed.id, later(7_000)))?.state, 'running');

    await s.finishGcPass(dead.id, report(10, 1), later(8_000));
    assert.equal((await s.findGcPass(dead.id, later(9_000)))?.state, 'done', 'a stalled pass that ends after all says how it ended');
  });

  suite.isolated('keeps only the newest passes', async (kit) => {
    const s = kit.store();
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push((await s.startGcPass(pass({ at: later(i), keep: 3 }))).id);
    assert.deepEqual(
      (await s.listGcPasses({ limit: 10 }, later(10))).map((p) => p.id),
      ids.slice(2).reverse(),
    );
  });

  suite.isolated('sums reclaimed bytes and blobs per UTC day of real passes that ended well, from a day on', async (kit) => {
    const s = kit.store();
    const finishOn = async (end: Date, bytes: number, blobs: number, o: Partial<NewGcPass> = {}): Promise<void> => {
      const p = await s.startGcPass(pass({ at: new Date(end.getTime() - 1_000), leaseUntil: new Date(end.getTime() + 60_000), ...o }));
      await s.finishGcPass(p.id, report(bytes, blobs), end);
    };
    const day0 = Math.floor(at.getTime() / DAY);
    await finishOn(later(-DAY + 1_000), 999, 9, { trigger: 'schedule' });
    await finishOn(later(HOUR), 100, 1);
    await finishOn(later(2 * HOUR), 50, 2, { trigger: 'cli' });
    await finishOn(later(3 * HOUR), 7_000, 70, { dryRun: true });
    await finishOn(later(2 * DAY + 5), 0, 0);
    const failed = await s.startGcPass(pass({ at: later(2 * DAY) }));
    await s.finishGcPass(failed.id, { state: 'failed', error: 'x' }, later(2 * DAY + 10));
    await s.startGcPass(pass({ at: later(2 * DAY + 20), leaseUntil: later(3 * DAY) }));
    assert.deepEqual(await s.gcReclaimedByDay(at), [
      { day: day0, bytes: 150, blobs: 3, passes: 2 },
      { day: day0 + 2, bytes: 0, blobs: 0, passes: 1 },
    ]);
    assert.equal((await s.gcReclaimedByDay(later(-DAY)))[0]?.bytes, 999, 'the day before, when asked from it');
  });
}
