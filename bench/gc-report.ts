// The GC table: berth-only numbers (Distribution has no online GC) against their own targets, in the same layout
// as the side-by-side table: sweep rate, push latency with GC busy vs idle, repository delete 10,000 vs 10.
import { markdownTable } from './table.ts';
import type { GcParams, LatencyPhase, RepoDeleteResult, SweepResult } from './workloads/gc.ts';

export interface GcRound {
  sweep: SweepResult;
  /** The filesystem's bare unlinks per second of as many fsynced files of the blobs' size (bench/machine.ts). */
  unlinksPerSecond: number;
  latency: { idle: LatencyPhase; busy: LatencyPhase };
  repoDelete: [RepoDeleteResult, RepoDeleteResult];
}

export interface GcMeasured {
  sweepBlobsPerSec: number;
  sweepMiBs: number;
  /** Absent in records made before the probe existed. */
  unlinksPerSecond: number | null;
  pushP50IdleMs: number;
  pushP50BusyMs: number;
  pushP99IdleMs: number;
  pushP99BusyMs: number;
  repoDeleteSmallMs: number;
  repoDeleteLargeMs: number;
}

export interface GcRow {
  metric: string;
  value: number;
  baseline: number | null;
  ratio: number | null;
  target: string;
  met: boolean | null;
}

const mid = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return (s[Math.floor((s.length - 1) / 2)]! + s[Math.floor(s.length / 2)]!) / 2;
};

/** Per-metric median over rounds. */
export function medianGc(rounds: GcRound[]): GcMeasured {
  const m = (f: (r: GcRound) => number): number => mid(rounds.map(f));
  return {
    sweepBlobsPerSec: m((r) => r.sweep.blobsPerSecond),
    sweepMiBs: m((r) => r.sweep.mibPerSecond),
    unlinksPerSecond: rounds.every((r) => typeof r.unlinksPerSecond === 'number') ? m((r) => r.unlinksPerSecond) : null,
    pushP50IdleMs: m((r) => r.latency.idle.p50ms),
    pushP50BusyMs: m((r) => r.latency.busy.p50ms),
    pushP99IdleMs: m((r) => r.latency.idle.p99ms),
    pushP99BusyMs: m((r) => r.latency.busy.p99ms),
    repoDeleteSmallMs: m((r) => r.repoDelete[0].medianMs),
    repoDeleteLargeMs: m((r) => r.repoDelete[1].medianMs),
  };
}

/** Blobs a second one pass must sweep on the filesystem (issue 18; it was 1,000 while the sweep unlinked one by one). */
const SWEEP_TARGET = 10_000;

export function gcRows(g: GcMeasured, p: GcParams): GcRow[] {
  const [small, large] = p.repoSizes;
  return [
    {
      // The baseline is the machine's: bare unlinks of as many fsynced files, which no sweep can outrun.
      metric: `GC sweep blobs/s (${p.sweepBlobs} unreferenced)`,
      value: g.sweepBlobsPerSec,
      baseline: g.unlinksPerSecond,
      ratio: g.unlinksPerSecond === null ? null : g.sweepBlobsPerSec / g.unlinksPerSecond,
      target: `>= ${SWEEP_TARGET} blobs/s`,
      met: g.sweepBlobsPerSec >= SWEEP_TARGET,
    },
    { metric: `GC sweep MiB/s (${p.sweepBlobBytes / 1024} KiB blobs)`, value: g.sweepMiBs, baseline: null, ratio: null, target: '-', met: null },
    {
      metric: 'small-image push p50 ms, GC busy / idle',
      value: g.pushP50BusyMs,
      baseline: g.pushP50IdleMs,
      ratio: g.pushP50BusyMs / g.pushP50IdleMs,
      target: '-',
      met: null,
    },
    {
      metric: 'small-image push p99 ms, GC busy / idle',
      value: g.pushP99BusyMs,
      baseline: g.pushP99IdleMs,
      ratio: g.pushP99BusyMs / g.pushP99IdleMs,
      target: '<= 1.5x',
      met: g.pushP99BusyMs / g.pushP99IdleMs <= 1.5,
    },
    {
      metric: `repository delete ms, ${large} / ${small} manifests`,
      value: g.repoDeleteLargeMs,
      baseline: g.repoDeleteSmallMs,
      ratio: g.repoDeleteLargeMs / g.repoDeleteSmallMs,
      target: '<= 2x',
      met: g.repoDeleteLargeMs / g.repoDeleteSmallMs <= 2,
    },
  ];
}

const fmt = (n: number): string => (!Number.isFinite(n) ? String(n) : n >= 100 ? n.toFixed(0) : n >= 1 ? n.toFixed(1) : n.toFixed(3));

export function gcTable(all: GcRow[], rounds: number): string {
  const lines = [['metric (berth only)', 'measured', 'baseline', 'ratio', 'target', 'met']];
  for (const r of all) {
    lines.push([
      r.metric,
      fmt(r.value),
      r.baseline === null ? '-' : fmt(r.baseline),
      r.ratio === null ? '-' : `${r.ratio.toFixed(2)}x`,
      r.target,
      r.met === null ? '-' : r.met ? 'yes' : 'NO',
    ]);
  }
  const out = markdownTable(lines);
  const judged = all.filter((r) => r.met !== null);
  const missed = judged.filter((r) => !r.met).map((r) => r.metric);
  return [
    `online GC (berth only; ${rounds > 1 ? `median of ${rounds} rounds` : 'one round'})`,
    '',
    ...out,
    '',
    "The sweep's baseline is the filesystem's own rate: as many fsynced files of the blobs' size, unlinked as many at a time as the sweep unlinks.",
    '',
    `GC targets met: ${judged.length - missed.length} of ${judged.length}`,
    `GC targets missed: ${missed.length ? missed.join(', ') : 'none'}`,
  ].join('\n');
}
