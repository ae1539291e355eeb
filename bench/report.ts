// Turns both registries' measurements into the side-by-side table (ratio against each target) and the JSON record.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface Measured {
  blobPushMiBs: number;
  blobPullMiBs: number;
  manifestGetRps: number;
  tagsListRps: number;
  smallImagePushPerSec: number;
  deleteByDigestPerSec: number;
  peakRssMiB: number;
}

export interface Row {
  metric: string;
  berth: number;
  distribution: number;
  ratio: number;
  target: string;
  met: boolean;
}

const TARGETS: { key: keyof Measured; metric: string; minRatio?: number; maxBerth?: number }[] = [
  { key: 'blobPushMiBs', metric: 'blob push MiB/s', minRatio: 6 },
  { key: 'blobPullMiBs', metric: 'blob pull MiB/s', minRatio: 1.5 },
  { key: 'manifestGetRps', metric: 'manifest GET req/s', minRatio: 10 },
  { key: 'tagsListRps', metric: 'tags/list req/s (100 tags)', minRatio: 10 },
  { key: 'smallImagePushPerSec', metric: 'small-image push/s', minRatio: 3 },
  { key: 'deleteByDigestPerSec', metric: 'delete-by-digest/s', minRatio: 5 },
  { key: 'peakRssMiB', metric: 'peak RSS MiB', maxBerth: 150 },
];

/** Per-metric median over rounds (peak RSS: the last round's, as VmHWM only grows). */
export function median(rounds: Measured[]): Measured {
  const out = {} as Measured;
  for (const key of Object.keys(rounds[0]!) as (keyof Measured)[]) {
    const v = rounds.map((r) => r[key]).sort((a, b) => a - b);
    const mid = (v[Math.floor((v.length - 1) / 2)]! + v[Math.floor(v.length / 2)]!) / 2;
    out[key] = key === 'peakRssMiB' ? rounds[rounds.length - 1]![key] : mid;
  }
  return out;
}

export function rows(berth: Measured, distribution: Measured): Row[] {
  return TARGETS.map((t) => {
    const b = berth[t.key];
    const d = distribution[t.key];
    const ratio = b / d;
    const met = t.minRatio !== undefined ? ratio >= t.minRatio : b <= t.maxBerth!;
    const target = t.minRatio !== undefined ? `>= ${t.minRatio}x` : `berth <= ${t.maxBerth} MiB`;
    return { metric: t.metric, berth: b, distribution: d, ratio, target, met };
  });
}

const fmt = (n: number): string => (!Number.isFinite(n) ? String(n) : n >= 100 ? n.toFixed(0) : n.toFixed(1));

export function table(all: Row[], limits: { sha256MiBs: number; fsyncDiskMiBs: number }, columns: [string, string], rounds: number): string {
  const lines = [['metric', columns[0], columns[1], `ratio ${columns[0]}/${columns[1]}`, 'target', 'met']];
  for (const r of all) lines.push([r.metric, fmt(r.berth), fmt(r.distribution), `${r.ratio.toFixed(2)}x`, r.target, r.met ? 'yes' : 'NO']);
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  const out = lines.map((l) => `| ${l.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`);
  out.splice(1, 0, `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  const met = all.filter((r) => r.met).map((r) => r.metric);
  const missed = all.filter((r) => !r.met).map((r) => r.metric);
  return [
    `machine limits: sha256 (node:crypto) ${fmt(limits.sha256MiBs)} MiB/s, fsync-disk write ${fmt(limits.fsyncDiskMiBs)} MiB/s`,
    rounds > 1 ? `median of ${rounds} rounds (alternating which registry goes first)` : 'one round',
    '',
    ...out,
    '',
    `targets met: ${met.length} of ${all.length}${met.length ? ` (${met.join(', ')})` : ''}`,
    `targets missed: ${missed.length ? missed.join(', ') : 'none'}`,
  ].join('\n');
}

export async function saveJson(record: object): Promise<string> {
  const dir = join(import.meta.dirname, 'results');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify(record, null, 2)}\n`);
  return file;
}
