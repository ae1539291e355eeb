// The backend section's tables: every column against the embedded default, and berth on PostgreSQL + S3 against
// Distribution on the same object store, with the performance issue's goals for that comparison.
import type { BackendColumn, BackendMeasured } from './backends.ts';
import { fmt, markdownTable } from './table.ts';

const METRICS: Array<{ key: keyof BackendMeasured; metric: string }> = [
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
const S3_GOALS: Partial<Record<keyof BackendMeasured, (b: number, d: number) => { goal: string; met: boolean }>> = {
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
