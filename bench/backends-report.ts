// The backend section's tables: every column against the embedded default, and berth on PostgreSQL + S3 against
// Distribution on the same object store, with the performance issue's goals for that comparison.
import { availableParallelism } from 'node:os';
import type { BackendColumn, BackendMeasured } from './backends.ts';
import { fmt, markdownTable } from './table.ts';

type Figure = Exclude<keyof BackendMeasured, 'smallImagePushCpuMs'>;

const METRICS: Array<{ key: Figure; metric: string }> = [
  { key: 'blobPushMiBs', metric: 'blob push MiB/s' },
  { key: 'blobPullMiBs', metric: 'blob pull MiB/s' },
  { key: 'manifestGetRps', metric: 'manifest GET req/s' },
  { key: 'smallImagePushPerSec', metric: 'small-image push/s' },
  { key: 'smallImagePushDistinctPerSec', metric: 'small-image push/s, distinct repositories' },
  { key: 'deleteByDigestPerSec', metric: 'delete-by-digest/s' },
  { key: 'peakRssMiB', metric: 'peak RSS MiB' },
];

/** One row per metric: each column's value and its ratio to the embedded default. */
export function backendTable(columns: BackendColumn[]): string {
  const [first, ...rest] = columns;
  const head = ['metric', first!.name, ...rest.flatMap((c) => [c.name, `${c.name} / ${first!.name}`])];
  const lines = [head];
  for (const { key, metric } of METRICS) {
    const base = first!.m?.[key] ?? NaN;
    lines.push([metric, fmt(base), ...rest.flatMap((c) => (c.m ? [fmt(c.m[key]), `${(c.m[key] / base).toFixed(2)}x`] : ['n/a', 'n/a']))]);
  }
  const out = markdownTable(lines);
  return [
    'backends: the same workloads on the embedded default and on shared stores (one machine, loopback)',
    ...columns.map((c) => `  ${c.name}: ${c.setup}${c.skipped ? ` — not run: ${c.skipped}` : ''}`),
    '',
    ...out,
  ].join('\n');
}

/** The issue's goals for berth on PostgreSQL + S3 against Distribution on the same store (none where it set none). */
const S3_GOALS: Partial<Record<Figure, (b: number, d: number) => { goal: string; met: boolean }>> = {
  smallImagePushPerSec: (b, d) => ({ goal: '>= 30/s and >= 10x', met: b >= 30 && b / d >= 10 }),
  peakRssMiB: (b) => ({ goal: 'berth <= 200 MiB', met: b <= 200 }),
};

/** berth's one-replica PostgreSQL + S3 column against Distribution's s3 driver; null when either did not run. */
export function s3Table(columns: BackendColumn[]): string | null {
  const berth = columns.find((c) => c.name.endsWith(' x1') && c.m);
  const dist = columns.find((c) => c.name === 'distribution s3' && c.m);
  if (!berth?.m || !dist?.m) return null;
  const lines = [['metric', berth.name, dist.name, 'ratio', 'goal', 'met']];
  for (const { key, metric } of METRICS) {
    const b = berth.m[key];
    const d = dist.m[key];
    const g = S3_GOALS[key]?.(b, d);
    lines.push([metric, fmt(b), fmt(d), `${(b / d).toFixed(2)}x`, g?.goal ?? '-', g ? (g.met ? 'yes' : 'NO') : '-']);
  }
  return ['scale-out: berth on PostgreSQL + S3 against Distribution on its s3 driver, the same RGW', '', ...markdownTable(lines)].join('\n');
}

/**
 * Where the small-image push's CPU went, per image and process, for every column that ran; and what the machine's
 * cores allow once everything but the registry is paid for (the rate a registry that cost nothing would reach).
 */
export function cpuTable(columns: BackendColumn[]): string {
  const ran = columns.filter((c): c is BackendColumn & { m: BackendMeasured } => c.m !== null);
  const groups = [...new Set(ran.flatMap((c) => Object.keys(c.m.smallImagePushCpuMs)))];
  const order = ['registry', 'bench (client)', ...groups.filter((g) => g !== 'registry' && g !== 'bench (client)' && g !== 'other').sort(), 'other'];
  const cores = availableParallelism();
  const head = ['small-image push, CPU ms per image', ...ran.map((c) => c.name)];
  const lines = [head];
  for (const g of order.filter((x) => groups.includes(x))) lines.push([g, ...ran.map((c) => fmt(c.m.smallImagePushCpuMs[g] ?? 0))]);
  const total = (c: BackendMeasured): number => Object.values(c.smallImagePushCpuMs).reduce((a, b) => a + b, 0);
  lines.push(['total', ...ran.map((c) => fmt(total(c.m)))]);
  lines.push([
    `images/s ${cores} cores allow with the registry's CPU at zero`,
    ...ran.map((c) => fmt((cores * 1000) / Math.max(0.001, total(c.m) - (c.m.smallImagePushCpuMs.registry ?? 0)))),
  ]);
  lines.push(['measured images/s', ...ran.map((c) => fmt(c.m.smallImagePushPerSec))]);
  return [`where the small-image push's CPU went (/proc, every process on the machine; ${cores} cores)`, '', ...markdownTable(lines)].join('\n');
}
