// Measures the console's browsing API at the size issue 17 names (10,000 repositories, 100,000 tags), seeded through
// /v2 as clients push, then timed page by page from a client on 127.0.0.1: p50/p95 per page kind, not a throughput.
//
//   node bench/console-api.ts [--data DIR] [--repos N] [--tags N] [--rounds N] [--concurrency N]
//
// --data keeps the seeded data directory (seeding is the slow part): a second run on the same DIR only measures.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { type RunningBerth, runBerth, startBerth } from '../test/e2e/harness.ts';
import { agent, bounded, OCI_MANIFEST, pushBlob, putManifest, sha } from './http.ts';

const { values: opts } = parseArgs({
  options: {
    data: { type: 'string' },
    repos: { type: 'string', default: '10000' },
    tags: { type: 'string', default: '100000' },
    rounds: { type: 'string', default: '60' },
    concurrency: { type: 'string', default: '16' },
  },
});
const REPOS = Number(opts.repos);
const TAGS = Number(opts.tags);
const ROUNDS = Math.min(Number(opts.rounds), 1000);
const CONCURRENCY = Math.min(Number(opts.concurrency), 64);
/** One repository holds a tenth of the tags (at least 1,000): the "many tags" page; the rest share the others. */
const BIG = 'bench-big/app';
const BIG_TAGS = Math.max(1000, Math.floor(TAGS / 10));
const NAMESPACES = 100;

const repoName = (i: number): string => `bench${String(i % NAMESPACES).padStart(2, '0')}/app-${i}`;
const tagName = (i: number): string => `t${String(i).padStart(6, '0')}`;

/** Tags per repository so the total is exactly TAGS: the big one first, the remainder spread over the others. */
function tagsOf(i: number): number {
  const rest = TAGS - BIG_TAGS;
  const others = REPOS - 1;
  return Math.floor(rest / others) + (i - 1 < rest % others ? 1 : 0);
}

/** A small image family: one config and one own layer per repository plus a base layer every repository shares. */
async function seedRepository(base: string, repo: string, tags: number, shared: { digest: string; size: number; from: string }): Promise<void> {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, repo }));
  const layer = Buffer.from(`own layer of ${repo} `.repeat(40));
  await pushBlob(base, repo, config, config.length, sha(config));
  await pushBlob(base, repo, layer, layer.length, sha(layer));
  const mount = await request(`${base}/v2/${repo}/blobs/uploads/?mount=${shared.digest}&from=${shared.from}`, { method: 'POST', dispatcher: agent });
  await mount.body.text();
  if (mount.statusCode !== 201) throw new Error(`mount into ${repo} answered ${mount.statusCode}`);
  for (let t = 0; t < tags; t++) {
    // Each tag its own manifest (an annotation tells them apart), so sizes, pins and platforms are per manifest.
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
        layers: [
          { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: shared.digest, size: shared.size },
          { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(layer), size: layer.length },
        ],
        annotations: { 'org.example.build': `${repo}:${t}` },
      }),
    );
    await putManifest(base, repo, tagName(t), manifest);
  }
}

async function seed(base: string): Promise<void> {
  const sharedBytes = Buffer.alloc(4096, 7);
  const shared = { digest: sha(sharedBytes), size: sharedBytes.length, from: BIG };
  await pushBlob(base, BIG, sharedBytes, sharedBytes.length, shared.digest);
  const started = performance.now();
  await seedRepository(base, BIG, BIG_TAGS, shared);
  let done = 0;
  const run = await bounded(REPOS - 1, 3600, CONCURRENCY, async (i) => {
    await seedRepository(base, repoName(i + 1), tagsOf(i + 1), shared);
    if (++done % 500 === 0) console.log(`  seeded ${done} / ${REPOS - 1} repositories (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  });
  if (run.done !== REPOS - 1) throw new Error(`seeding stopped at ${run.done} repositories (the one-hour bound)`);
  console.log(`seeded ${REPOS} repositories, ${TAGS} tags in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

async function timedGet(url: string, authorization: string): Promise<{ ms: number; body: Record<string, unknown> }> {
  const t0 = performance.now();
  const r = await request(url, { method: 'GET', dispatcher: agent, headers: { authorization } });
  const text = await r.body.text();
  const ms = performance.now() - t0;
  if (r.statusCode !== 200) throw new Error(`GET ${url} answered ${r.statusCode}: ${text.slice(0, 300)}`);
  return { ms, body: JSON.parse(text) as Record<string, unknown> };
}

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

/** Sequential requests (one client, as a browser tab pages): a few to warm up, then ROUNDS timed. */
async function measure(base: string, key: Key, what: string, path: string, check: (body: Record<string, unknown>) => number): Promise<string> {
  let items = 0;
  for (let i = 0; i < 3; i++) items = check((await timedGet(`${base}${path}`, key.authorization)).body);
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) times.push((await timedGet(`${base}${path}`, key.authorization)).ms);
  times.sort((a, b) => a - b);
  return `| ${what} | ${key.name} | \`${path.replace('/berth/v1', '')}\` | ${items} | ${quantile(times, 0.5).toFixed(1)} | ${quantile(times, 0.95).toFixed(1)} |`;
}

const count = (field: string) => (body: Record<string, unknown>) => {
  const list = body[field];
  if (!Array.isArray(list) || list.length === 0) throw new Error(`no ${field} in the answer: ${JSON.stringify(body).slice(0, 200)}`);
  return list.length;
};

interface Key {
  name: string;
  authorization: string;
}

/** An access key made by the CLI on the (stopped) server's data directory. */
async function createKey(dataDir: string, name: string, grant: string[]): Promise<Key> {
  const r = await runBerth(['key', 'create', '--data', dataDir, '--json', '--name', name, ...grant]);
  if (r.code !== 0) throw new Error(`key create: ${r.stderr}`);
  const k = JSON.parse(r.stdout) as { accessKeyId: string; secretAccessKey: string };
  return { name, authorization: `Basic ${Buffer.from(`${k.accessKeyId}:${k.secretAccessKey}`).toString('base64')}` };
}

async function main(): Promise<void> {
  const dataDir = opts.data ?? (await mkdtemp(join(tmpdir(), 'berth-console-bench-')));
  await mkdir(dataDir, { recursive: true });
  const marker = join(dataDir, 'console-bench-seeded.json');
  const seeded = existsSync(marker) ? (JSON.parse(await readFile(marker, 'utf8')) as { repos: number; tags: number }) : null;
  if (seeded && (seeded.repos !== REPOS || seeded.tags !== TAGS)) throw new Error(`${dataDir} was seeded with ${JSON.stringify(seeded)}, not ${REPOS}/${TAGS}`);
  if (!seeded) {
    // Seeding runs with auth off (as a CI pushing with an admin key would, minus the key check per request).
    const seeder = await startBerth({ dataDir, listen: '127.0.0.1:0', env: { BERTH_LOG_LEVEL: 'warn' } });
    try {
      await seed(seeder.url);
    } finally {
      await seeder.stop();
    }
    await writeFile(marker, JSON.stringify({ repos: REPOS, tags: TAGS }));
  }
  // Measured with auth on: an admin key sees everything, a reader of one namespace makes listings skip the rest.
  const admin = await createKey(dataDir, 'admin', ['--admin']);
  const reader = await createKey(dataDir, 'reader of bench99', ['--grant', 'bench99/*:pull']);
  let berth: RunningBerth | undefined;
  try {
    berth = await startBerth({ dataDir, listen: '127.0.0.1:0', args: ['--auth', 'required'], env: { BERTH_LOG_LEVEL: 'warn' } });
    const names = Array.from({ length: REPOS - 1 }, (_, i) => repoName(i + 1))
      .concat(BIG)
      .sort();
    const middle = names[Math.floor(names.length / 2)]!;
    const inNamespace = names.filter((n) => n.startsWith('bench42/'));
    const nsMiddle = inNamespace[Math.floor(inNamespace.length / 3)]!;
    console.log(
      `\nmachine: ${cpus().length} CPUs (${cpus()[0]?.model}), load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}, node ${process.version}`,
    );
    console.log(`${REPOS} repositories, ${TAGS} tags (${BIG}: ${BIG_TAGS}); ${ROUNDS} timed requests each, one client, client-side latency\n`);
    console.log('| page | key | request | entries | p50 ms | p95 ms |\n| --- | --- | --- | --- | --- | --- |');
    const rows = [
      ['repositories, first page', '/berth/v1/repositories', 'repositories'],
      ['repositories, middle page by cursor', `/berth/v1/repositories?after=${encodeURIComponent(middle)}`, 'repositories'],
      ['repositories, search', '/berth/v1/repositories?q=APP-12', 'repositories'],
      ['repositories, one namespace', `/berth/v1/repositories?namespace=bench42&after=${encodeURIComponent(nsMiddle)}`, 'repositories'],
      ['repositories, 1,000 a page', '/berth/v1/repositories?limit=1000', 'repositories'],
      ['namespaces, first page', '/berth/v1/namespaces', 'namespaces'],
      ['tags of the big repository, first page', `/berth/v1/repositories/${BIG}/tags`, 'tags'],
      ['tags, middle page by cursor', `/berth/v1/repositories/${BIG}/tags?after=${tagName(Math.floor(BIG_TAGS / 2))}`, 'tags'],
      ['tags, search', `/berth/v1/repositories/${BIG}/tags?q=T0012`, 'tags'],
      ['manifests, untagged (none: a full walk)', `/berth/v1/repositories/${BIG}/manifests?tagged=false`, null],
      ['manifests, first page', `/berth/v1/repositories/${BIG}/manifests`, 'manifests'],
    ] as const;
    for (const [what, path, field] of rows) {
      console.log(await measure(berth.url, admin, what, path, field === null ? () => 0 : count(field)));
    }
    console.log(await measure(berth.url, reader, 'repositories, first page (9,900 hidden before)', '/berth/v1/repositories', count('repositories')));
    console.log(await measure(berth.url, reader, 'namespaces (99 of 100 hidden)', '/berth/v1/namespaces', count('namespaces')));
  } finally {
    await berth?.stop();
    if (!opts.data) await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
