// `npm run bench -- --scale`: what growing costs on the embedded default (or with --scale-meta postgres, metadata on
// PostgreSQL). Pushes N manifests (20 tags in each of N/20 repositories, 16 clients) a tenth at a time and reports the
// push rate per tenth, random manifest GETs and tags/list at the first tenth and at the end, the catalog walk,
// `gc --dry-run` and a GC pass, restart time, RSS and disk.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { runBerth, startBerth } from '../test/e2e/harness.ts';
import { rssOf } from '../test/e2e/slow-clients.ts';
import { bounded, getText, MANIFEST_ACCEPT, makeSmallImage, pushSmallImage, putManifest, type SmallImage } from './http.ts';
import { MiB } from './machine.ts';
import { peakRss } from './registries.ts';
import { load, type RateOptions } from './workloads/rates.ts';

export interface ScaleParams {
  manifests: number;
  tagsPerRepo: number;
  clients: number;
  rate: RateOptions;
  /** `serve --meta` (a PostgreSQL URL); absent: the embedded SQLite store. Blobs stay on the filesystem either way. */
  metaUrl?: string;
}

export interface ScaleResult {
  manifests: number;
  meta: 'embedded' | 'postgres';
  pushPerTenth: number[];
  randomGet: { atTenth: number; atEnd: number; ratio: number };
  tagsList: { atTenth: number; atEnd: number; ratio: number };
  catalogWalkMs: number;
  gcDryRunMs: number;
  gcPassMs: number;
  restartMs: number;
  rssMiB: { atTenth: number; atEnd: number; peak: number };
  diskBytesPerManifest: number;
}

const log = (m: string): void => void process.stderr.write(`bench scale: ${m}\n`);

const rssMiB = (pid: number): number => Math.round(rssOf(pid) / MiB);

/** The manifest of tag `t` of a repository: the repository's one image, made distinct per tag by an annotation. */
function tagged(img: SmallImage, t: number): Buffer {
  const m = JSON.parse(img.manifest.toString()) as Record<string, unknown>;
  return Buffer.from(JSON.stringify({ ...m, annotations: { 'bench.tag': String(t) } }));
}

const repoName = (r: number): string => `scale/r${String(r).padStart(7, '0')}`;

export async function measureScale(work: string, P: ScaleParams): Promise<ScaleResult> {
  const repos = Math.ceil(P.manifests / P.tagsPerRepo);
  const meta = P.metaUrl === undefined ? [] : ['--meta', P.metaUrl];
  const env = { BERTH_GC_INTERVAL: '0', BERTH_LIFECYCLE_INTERVAL: '0' };
  let berth = await startBerth({ dataDir: join(work, 'scale-data'), args: meta, env });
  try {
    // Repository-major, so every tenth has the same mix (one image push, then tag-only manifest pushes); a repository's
    // later tags wait for its first, which carries the blobs.
    const images = new Map<number, Promise<SmallImage>>();
    const pushOne = async (i: number): Promise<void> => {
      const r = Math.floor(i / P.tagsPerRepo);
      const t = i % P.tagsPerRepo;
      let first = images.get(r);
      if (!first) {
        const img = makeSmallImage(64);
        first = pushSmallImage(berth.url, repoName(r), 't0', img).then(() => img);
        images.set(r, first);
      }
      const img = await first;
      if (t > 0) await putManifest(berth.url, repoName(r), `t${t}`, tagged(img, t));
      if (t === P.tagsPerRepo - 1) images.delete(r);
    };
    const tenth = Math.ceil(P.manifests / 10);
    const pushPerTenth: number[] = [];
    let atTenth = { get: NaN, tags: NaN, rss: NaN };
    for (let k = 0; k < 10; k++) {
      const from = k * tenth;
      const count = Math.min(tenth, P.manifests - from);
      const r = await bounded(count, 3_600, P.clients, (i) => pushOne(from + i));
      if (r.done !== count) throw new Error(`tenth ${k + 1}: pushed ${r.done} of ${count} within the hour`);
      pushPerTenth.push(r.perSecond);
      log(`tenth ${k + 1}: ${from + count} manifests, ${Math.round(r.perSecond)}/s`);
      if (k === 0) atTenth = { ...(await reads(berth.url, from + count)), rss: rssMiB(berth.process.pid!) };
    }
    const end = await reads(berth.url, P.manifests);
    const rssAtEnd = rssMiB(berth.process.pid!);
    const peak = Math.round(await peakRss(berth.process.pid!));

    const walkStarted = performance.now();
    let walked = 0;
    for (let last = ''; ; ) {
      const page = JSON.parse((await getText(berth.url, `/v2/_catalog?n=1000${last ? `&last=${encodeURIComponent(last)}` : ''}`)).text) as {
        repositories: string[];
      };
      walked += page.repositories.length;
      if (page.repositories.length < 1000) break;
      last = page.repositories.at(-1)!;
    }
    const catalogWalkMs = performance.now() - walkStarted;
    if (walked < repos) throw new Error(`the catalog walk saw ${walked} of ${repos} repositories`);

    const timed = async (args: string[]): Promise<number> => {
      const t = performance.now();
      const r = await runBerth([...args, '--data', berth.dataDir, ...meta]);
      if (r.code !== 0) throw new Error(`berth ${args.join(' ')} exited ${r.code}: ${r.stderr.slice(0, 300)}`);
      return performance.now() - t;
    };
    const gcDryRunMs = await timed(['gc', '--dry-run']);
    const gcPassMs = await timed(['gc']);

    await berth.stop();
    const restartStarted = performance.now();
    berth = await startBerth({ dataDir: berth.dataDir, args: meta, env });
    await getText(berth.url, '/v2/');
    const restartMs = performance.now() - restartStarted;
    const diskBytes = Number(execFileSync('du', ['-sb', berth.dataDir], { encoding: 'utf8' }).split('\t')[0]);

    return {
      manifests: P.manifests,
      meta: P.metaUrl === undefined ? 'embedded' : 'postgres',
      pushPerTenth,
      randomGet: { atTenth: atTenth.get, atEnd: end.get, ratio: end.get / atTenth.get },
      tagsList: { atTenth: atTenth.tags, atEnd: end.tags, ratio: end.tags / atTenth.tags },
      catalogWalkMs,
      gcDryRunMs,
      gcPassMs,
      restartMs,
      rssMiB: { atTenth: atTenth.rss, atEnd: rssAtEnd, peak },
      diskBytesPerManifest: diskBytes / P.manifests,
    };
  } finally {
    await berth.stop();
  }

  /** Random manifest GETs over every tag pushed so far, and tags/list of random repositories. */
  async function reads(base: string, pushed: number): Promise<{ get: number; tags: number }> {
    const sample = Math.min(pushed, 200_000);
    const manifests = Array.from({ length: sample }, (_, j) => {
      const i = Math.floor((j * pushed) / sample);
      return `/v2/${repoName(Math.floor(i / P.tagsPerRepo))}/manifests/t${i % P.tagsPerRepo}`;
    });
    const probe = await getText(base, manifests.at(-1)!, { accept: MANIFEST_ACCEPT });
    if (!probe.headers['docker-content-digest']) throw new Error('random GET probe: no digest');
    const get = await load(base, manifests[0]!, { accept: MANIFEST_ACCEPT }, P.rate, manifests);
    const full = Math.max(1, Math.floor(pushed / P.tagsPerRepo));
    const lists = Array.from({ length: Math.min(full, 20_000) }, (_, j) => `/v2/${repoName(Math.floor((j * full) / Math.min(full, 20_000)))}/tags/list`);
    const tags = await load(base, lists[0]!, {}, P.rate, lists);
    return { get: get.perSecond, tags: tags.perSecond };
  }
}

export function scaleTable(r: ScaleResult): string {
  const n = (x: number): string => Math.round(x).toLocaleString('en-US');
  const rows = [
    ['manifests pushed', `${n(r.manifests)} (metadata: ${r.meta === 'postgres' ? 'PostgreSQL' : 'embedded SQLite'})`],
    ['push rate per tenth, manifests/s', r.pushPerTenth.map(n).join(' / ')],
    ['push rate, last tenth / first', `${(r.pushPerTenth.at(-1)! / r.pushPerTenth[0]!).toFixed(2)}x`],
    [
      `random manifest GET req/s at ${n(r.manifests / 10)} / at ${n(r.manifests)}`,
      `${n(r.randomGet.atTenth)} / ${n(r.randomGet.atEnd)} (${r.randomGet.ratio.toFixed(2)}x; goal >= 0.8)`,
    ],
    ['random tags/list req/s, same points', `${n(r.tagsList.atTenth)} / ${n(r.tagsList.atEnd)} (${r.tagsList.ratio.toFixed(2)}x)`],
    ['catalog walk (n=1000 pages), ms', n(r.catalogWalkMs)],
    ['berth gc --dry-run / berth gc, ms (CLI start-up included)', `${n(r.gcDryRunMs)} / ${n(r.gcPassMs)}`],
    ['restart until /v2/ answers, ms', n(r.restartMs)],
    ['server RSS MiB at a tenth / at the end / peak', `${r.rssMiB.atTenth} / ${r.rssMiB.atEnd} / ${r.rssMiB.peak} (goal <= 200)`],
    [`disk per manifest (${r.meta === 'postgres' ? 'blobs only' : 'metadata + blobs'}), bytes`, n(r.diskBytesPerManifest)],
  ];
  const w = Math.max(...rows.map((x) => x[0]!.length));
  return rows.map(([k, v]) => `${k!.padEnd(w)}  ${v}`).join('\n');
}
