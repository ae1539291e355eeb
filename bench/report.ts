// Turns both registries' measurements into the side-by-side table (ratio, goal, met) and the JSON record.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fmt, markdownTable } from './table.ts';

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

/** What the machine itself allows (bench/machine.ts, bench/loopback.ts); some goals are fractions of it. */
export interface Limits {
  sha256MiBs: number;
  /** The disk's sustained rate with fsync (what the goal uses), and its first-file burst (bench/machine.ts). */
  fsyncDiskMiBs: number;
  fsyncDiskBurstMiBs?: number;
  uploadMiBs: number;
  downloadMiBs: number;
}

interface Goal {
  key: keyof Measured;
  metric: string;
  goal(berth: number, distribution: number, limits: Limits): { target: string; met: boolean };
}

const atLeast = (x: number) => (b: number, d: number) => ({ target: `>= ${x}x`, met: b / d >= x });

/** The performance issue's goals: a ratio to Distribution, a share of the machine's limit, or an absolute bound. */
const GOALS: Goal[] = [
  {
    key: 'blobPushMiBs',
    metric: 'blob push MiB/s',
    goal: (b, _d, l) => {
      const floor = 0.6 * Math.min(l.sha256MiBs, l.fsyncDiskMiBs, l.uploadMiBs);
      return { target: `>= ${fmt(floor)} MiB/s (0.6 x min(sha256, disk, upload))`, met: b >= floor };
    },
  },
  {
    key: 'blobPullMiBs',
    metric: 'blob pull MiB/s',
    goal: (b, d, l) => {
      const floor = 0.5 * l.downloadMiBs;
      return { target: `>= 1x and >= ${fmt(floor)} MiB/s (0.5 x download)`, met: b >= d && b >= floor };
    },
  },
  { key: 'manifestGetRps', metric: 'manifest GET req/s', goal: atLeast(10) },
  { key: 'tagsListRps', metric: 'tags/list req/s (100 tags)', goal: atLeast(10) },
  { key: 'smallImagePushPerSec', metric: 'small-image push/s', goal: atLeast(3) },
  { key: 'deleteByDigestPerSec', metric: 'delete-by-digest/s', goal: atLeast(5) },
  { key: 'peakRssMiB', metric: 'peak RSS MiB', goal: (b) => ({ target: 'berth <= 200 MiB', met: b <= 200 }) },
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

export function rows(berth: Measured, distribution: Measured, limits: Limits): Row[] {
  return GOALS.map((g) => {
    const b = berth[g.key];
    const d = distribution[g.key];
    return { metric: g.metric, berth: b, distribution: d, ratio: b / d, ...g.goal(b, d, limits) };
  });
}

export function table(all: Row[], limits: Limits, columns: [string, string], rounds: number): string {
  const lines = [['metric', columns[0], columns[1], `ratio ${columns[0]}/${columns[1]}`, 'goal', 'met']];
  for (const r of all) lines.push([r.metric, fmt(r.berth), fmt(r.distribution), `${r.ratio.toFixed(2)}x`, r.target, r.met ? 'yes' : 'NO']);
  const out = markdownTable(lines);
  const met = all.filter((r) => r.met).map((r) => r.metric);
  const missed = all.filter((r) => !r.met).map((r) => r.metric);
  return [
    `machine limits: sha256 (node:crypto) ${fmt(limits.sha256MiBs)} MiB/s, fsync-disk write ${fmt(limits.fsyncDiskMiBs)} MiB/s sustained${limits.fsyncDiskBurstMiBs === undefined ? '' : ` (first 256 MiB: ${fmt(limits.fsyncDiskBurstMiBs)})`}, ` +
      `loopback HTTP upload ${fmt(limits.uploadMiBs)} / download ${fmt(limits.downloadMiBs)} MiB/s (curl, best of 3)`,
    rounds > 1 ? `median of ${rounds} rounds (alternating which registry goes first)` : 'one round',
    '',
    ...out,
    '',
    `goals met: ${met.length} of ${all.length}${met.length ? ` (${met.join(', ')})` : ''}`,
    `goals missed: ${missed.length ? missed.join(', ') : 'none'}`,
  ].join('\n');
}

export async function saveJson(record: object): Promise<string> {
  const dir = join(import.meta.dirname, 'results');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify(record, null, 2)}\n`);
  return file;
}
