// The growth row of the regular `npm run bench`: the scale run's two goals (random GETs keep their rate as the
// registry grows tenfold, the server stays small after it) as a table with goal and met columns like the others.
import type { ScaleResult } from './scale.ts';
import { fmt, markdownTable } from './table.ts';

export interface GrowthRow {
  metric: string;
  value: number;
  target: string;
  met: boolean;
}

export function growthRows(r: ScaleResult): GrowthRow[] {
  const n = r.manifests.toLocaleString('en-US');
  const tenth = (r.manifests / 10).toLocaleString('en-US');
  return [
    {
      metric: `random manifest GET at ${n} / at ${tenth} manifests (${fmt(r.randomGet.atEnd)} / ${fmt(r.randomGet.atTenth)} req/s)`,
      value: r.randomGet.ratio,
      target: '>= 0.8x',
      met: r.randomGet.ratio >= 0.8,
    },
    { metric: `server RSS MiB after ${n} small manifest pushes and the reads`, value: r.rssMiB.atEnd, target: '<= 200 MiB', met: r.rssMiB.atEnd <= 200 },
  ];
}

export function growthTable(rows: GrowthRow[], r: ScaleResult): string {
  const lines = [['growth (embedded default)', 'berth', 'goal', 'met']];
  for (const row of rows) lines.push([row.metric, row.value < 10 ? `${row.value.toFixed(2)}x` : fmt(row.value), row.target, row.met ? 'yes' : 'NO']);
  return [
    `${r.manifests.toLocaleString('en-US')} manifests (20 tags in each of ${(r.manifests / 20).toLocaleString('en-US')} repositories, 16 clients); ` +
      `push rate first / last tenth ${fmt(r.pushPerTenth[0]!)} / ${fmt(r.pushPerTenth.at(-1)!)} manifests/s; full table: --scale`,
    '',
    ...markdownTable(lines),
  ].join('\n');
}
