// Online GC in /metrics: how much waits in the review queue and the trash (read from the metadata store at scrape
// time, so every replica reports the shared truth) and what this process's passes removed (its own totals).
import { Counter, Gauge, type Registry } from 'prom-client';
import type { GcStats } from '../../core/index.ts';
import type { GcStatus, GcTotals } from '../../gc/index.ts';

export interface GcMetricsSource {
  status(): GcStatus;
  stats(): Promise<GcStats>;
}

/** One store query per scrape, however many gauges read it. */
function sharedStats(source: GcMetricsSource): () => Promise<GcStats | null> {
  let pending: Promise<GcStats | null> | null = null;
  return () => {
    pending ??= source
      .stats()
      .catch(() => null)
      .finally(() => setTimeout(() => (pending = null), 100).unref());
    return pending;
  };
}

/** A counter that follows a monotonic total kept elsewhere (the scheduler's), adding what grew since the last scrape. */
function followTotal(registry: Registry, name: string, help: string, source: GcMetricsSource, pick: (t: GcTotals) => number): void {
  let seen = 0;
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const now = pick(source.status().totals);
      if (now > seen) this.inc(now - seen);
      seen = Math.max(seen, now);
    },
  });
}

export function registerGcMetrics(registry: Registry, source: GcMetricsSource): void {
  const stats = sharedStats(source);
  new Gauge({
    name: 'berth_gc_queue_length',
    help: 'Unreferenced blobs and manifests waiting in the GC review queue',
    labelNames: ['kind'] as const,
    registers: [registry],
    async collect() {
      const s = await stats();
      if (!s) return;
      this.set({ kind: 'blob' }, s.blobsQueued);
      this.set({ kind: 'manifest' }, s.manifestsQueued);
    },
  });
  new Gauge({
    name: 'berth_gc_trash_manifests',
    help: 'Deleted manifests still restorable (in the trash)',
    registers: [registry],
    async collect() {
      const s = await stats();
      if (s) this.set(s.trashedManifests);
    },
  });
  followTotal(registry, 'berth_gc_runs_total', 'GC passes finished by this process', source, (t) => t.runs);
  followTotal(registry, 'berth_gc_blobs_removed_total', 'Blobs whose bytes GC removed', source, (t) => t.blobsRemoved);
  followTotal(registry, 'berth_gc_reclaimed_bytes_total', 'Bytes GC gave back to the disk', source, (t) => t.bytesReclaimed);
  followTotal(registry, 'berth_gc_errors_total', 'GC passes that failed and removals that failed', source, (t) => t.errors);
  new Gauge({
    name: 'berth_gc_sweep_rate',
    help: 'Blobs per second removed by the last GC pass that removed any',
    registers: [registry],
    collect() {
      this.set(source.status().totals.lastSweepRate);
    },
  });
}
