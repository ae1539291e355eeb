import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import type { GcStats } from '../../core/index.ts';
import type { GcStatus } from '../../gc/index.ts';
import { registerGcMetrics } from './gc-metrics.ts';
import { seriesValue } from './test-helpers.ts';

const STATS: GcStats = {
  blobsQueued: 7,
  blobsDue: 3,
  bytesDue: 300,
  manifestsQueued: 2,
  manifestsDue: 1,
  trashedManifests: 5,
  trashDue: 0,
  deletedRepositories: 0,
  purging: 0,
};

function status(runs: number, blobs: number): GcStatus {
  return {
    running: false,
    last: null,
    lastError: null,
    totals: { runs, blobsRemoved: blobs, bytesReclaimed: blobs * 100, manifestsCollected: 0, manifestsPurged: 0, errors: 0, lastSweepRate: 12.5 },
  };
}

describe('GC metrics', () => {
  it('reads the queue and trash from the store and follows the scheduler totals across scrapes', async () => {
    const registry = new Registry();
    let current = status(1, 4);
    let queries = 0;
    registerGcMetrics(registry, {
      status: () => current,
      stats: async () => {
        queries++;
        return STATS;
      },
    });
    let text = await registry.metrics();
    assert.equal(seriesValue(text, 'berth_gc_queue_length{kind="blob"}'), 7);
    assert.equal(seriesValue(text, 'berth_gc_queue_length{kind="manifest"}'), 2);
    assert.equal(seriesValue(text, 'berth_gc_trash_manifests'), 5);
    assert.equal(seriesValue(text, 'berth_gc_runs_total'), 1);
    assert.equal(seriesValue(text, 'berth_gc_blobs_removed_total'), 4);
    assert.equal(seriesValue(text, 'berth_gc_reclaimed_bytes_total'), 400);
    assert.equal(seriesValue(text, 'berth_gc_sweep_rate'), 12.5);
    assert.equal(queries, 1, 'one store query serves both gauges');
    current = status(3, 10);
    text = await registry.metrics();
    assert.equal(seriesValue(text, 'berth_gc_runs_total'), 3);
    assert.equal(seriesValue(text, 'berth_gc_blobs_removed_total'), 10);
  });

  it('a failing store query leaves the gauges as they were instead of failing the scrape', async () => {
    const registry = new Registry();
    registerGcMetrics(registry, { status: () => status(0, 0), stats: () => Promise.reject(new Error('closed')) });
    const text = await registry.metrics();
    assert.equal(seriesValue(text, 'berth_gc_runs_total'), 0);
    assert.equal(seriesValue(text, 'berth_gc_trash_manifests'), 0);
  });
});
