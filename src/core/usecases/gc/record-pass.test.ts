// A recorded GC pass over the real embedded stores: the row exists before any work, shows the pass's progress while
// it runs (at least every second), ends with the report as stored or with the error, and its lease outlives a slow step.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pushBlob, registriesClosedAfter } from '../../../adapters/test-helpers.ts';
import type { RegistryDeps } from '../../index.ts';
import { emptyReport } from './options.ts';
import { GC_PASS_LEASE_MS, STORED_PLAN_ENTRIES, startRecordedGc, storedReport } from './record-pass.ts';

const OPTIONS = { graceMs: 0, restoreWindowMs: 0, dryRun: false };
const WHO = { trigger: 'api', replica: 'test:1' } as const;

describe('startRecordedGc', () => {
  const open = registriesClosedAfter();

  it('records the pass as running before it works, its progress while a slow step runs, and its report at the end', async () => {
    const reg = await open();
    await pushBlob(reg.deps, 'rec/app', 'a layer nothing uses');
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let reached: () => void = () => undefined;
    const atBlobs = new Promise<void>((resolve) => (reached = resolve));
    // The blob step starts with gcStats: holding it keeps the pass running after its earlier phases reported.
    const deps: RegistryDeps = {
      ...reg.deps,
      meta: Object.assign(Object.create(reg.deps.meta) as RegistryDeps['meta'], {
        gcStats: async (...a: Parameters<RegistryDeps['meta']['gcStats']>) => {
          reached();
          await held;
          return reg.deps.meta.gcStats(...a);
        },
      }),
    };
    const { pass, report } = await startRecordedGc(deps, OPTIONS, WHO);
    assert.deepEqual([pass.state, pass.trigger, pass.replica, pass.progress], ['running', 'api', 'test:1', null]);
    assert.deepEqual(pass.leaseUntil, new Date(reg.clock.now().getTime() + GC_PASS_LEASE_MS));
    await atBlobs;
    // Progress reaches the store within about a second of the last phase reporting it.
    let seen = await reg.deps.meta.findGcPass(pass.id, reg.clock.now());
    for (let i = 0; i < 40 && seen?.progress === null; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      seen = await reg.deps.meta.findGcPass(pass.id, reg.clock.now());
    }
    assert.equal(seen?.state, 'running');
    assert.ok(seen?.progress !== null && ['pins', 'stale-purges', 'repositories', 'manifests', 'trash'].includes(seen!.progress.phase), JSON.stringify(seen));
    release();
    const r = await report;
    assert.equal(r.blobsRemoved, 1);
    const done = await reg.deps.meta.findGcPass(pass.id, reg.clock.now());
    assert.equal(done?.state, 'done');
    assert.deepEqual(done?.report, JSON.parse(JSON.stringify(storedReport(r))));
    assert.deepEqual(done?.progress, { phase: 'blobs', done: 1, total: 1 }, 'the last progress is written before the end');
    assert.equal((await reg.deps.meta.lastDoneGcPass())?.id, pass.id);
  });

  it('a pass that throws is recorded as failed with its message, and the caller still sees the error', async () => {
    const reg = await open();
    const deps: RegistryDeps = {
      ...reg.deps,
      meta: Object.assign(Object.create(reg.deps.meta) as RegistryDeps['meta'], {
        expirePins: async () => {
          throw new Error('the database went away');
        },
      }),
    };
    const { pass, report } = await startRecordedGc(deps, OPTIONS, WHO);
    await assert.rejects(report, /the database went away/);
    const failed = await reg.deps.meta.findGcPass(pass.id, reg.clock.now());
    assert.deepEqual([failed?.state, failed?.error, failed?.report], ['failed', 'the database went away', null]);
    assert.equal(await reg.deps.meta.lastDoneGcPass(), null);
  });

  it('a dry run is recorded as one, with its plan as the report', async () => {
    const reg = await open();
    const { pass, report } = await startRecordedGc(reg.deps, { ...OPTIONS, dryRun: true }, { trigger: 'cli', replica: 'x' });
    await report;
    const done = await reg.deps.meta.findGcPass(pass.id, reg.clock.now());
    assert.deepEqual([done?.dryRun, done?.state, (done?.report as { dryRun?: boolean } | null)?.dryRun], [true, 'done', true]);
    assert.equal(await reg.deps.meta.lastDoneGcPass(), null, 'a dry run is never the last pass');
  });

  it("stores a dry run's plan lists cut to their first entries, the counts whole", () => {
    const r = emptyReport(true, new Date('2026-01-01T00:00:00Z'));
    const blobs = Array.from({ length: STORED_PLAN_ENTRIES + 5 }, (_, i) => ({ digest: `sha256:${String(i).padStart(64, '0')}` as const, size: i }));
    r.plan = { manifests: [], trash: [], blobs, deletedRepositories: 3 };
    r.blobsRemoved = blobs.length;
    const stored = storedReport(r) as { plan: { blobs: unknown[]; deletedRepositories: number }; blobsRemoved: number; startedAt: string };
    assert.equal(stored.plan.blobs.length, STORED_PLAN_ENTRIES);
    assert.deepEqual([stored.plan.deletedRepositories, stored.blobsRemoved, stored.startedAt], [3, blobs.length, '2026-01-01T00:00:00.000Z']);
    assert.equal(r.plan.blobs.length, STORED_PLAN_ENTRIES + 5, 'the report itself is left whole');
  });
});
