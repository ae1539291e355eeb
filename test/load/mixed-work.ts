// The mixed load's units of work, one per kind of client call, over all five dialects: OCI pulls, pushes, lists and
// deletes, and the cloud APIs' listings signed as their SDKs sign them (the e2e signers, reused).
import { MANIFEST_ACCEPT, makeSmallImage, OCI_MANIFEST, type SmallImage, sha } from '../../bench/http.ts';
import { acrRaw } from '../e2e/acr-helpers.ts';
import { ecrRaw } from '../e2e/ecr-helpers.ts';
import type { Key } from '../e2e/key-helpers.ts';
import { API, ncr } from '../e2e/ncr-helpers.ts';
import type { Res } from '../e2e/oci-helpers.ts';
import { swrRaw } from '../e2e/swr-helpers.ts';
import type { KeepAliveClient } from './keepalive-client.ts';

/** The namespace every seeded and pushed repository lives in (an NCR registry, an SWR namespace, an ACR namespace). */
export const NS = 'load';

/** An image seeded before the measured phase, for pulls and the cloud APIs' listings. */
export interface Seed {
  repo: string;
  tag: string;
  digest: string;
  layer: string;
}

/** Everything the clients share. `oci` holds the OCI Authorization header (empty with auth none). */
export interface Shared {
  client: KeepAliveClient;
  key: Key;
  oci: Record<string, string>;
  seeds: Seed[];
  /** ACR RepoIds of the seeded repositories, for ListAcrImageTags. */
  acrRepoIds: string[];
  /** Layer bytes of a pushed image. */
  layerBytes: number;
}

/** One answer (or a connection error) of one kind of request, with its latency; `expected` is the status that counts as success. */
export type Record_ = (kind: string, ms: number, status: number | 'conn-error', expected: boolean) => void;

/** What one client remembers between its calls: the manifests it pushed (to delete them later). */
export interface ClientState {
  id: number;
  n: number;
  pushed: Array<{ repo: string; digest: string }>;
}

const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;

/**
 * Records one request under `kind`: its time on the wire as the keep-alive client measured it (from handing it to the
 * pool to its last byte), so a cloud API's request signing, done in this same thread, is not counted as server time.
 * Null on a connection error.
 */
async function timed(s: Shared, rec: Record_, kind: string, expected: number, call: () => Promise<Res>): Promise<Res | null> {
  const t = performance.now();
  try {
    const res = await call();
    rec(kind, s.client.elapsed.get(res) ?? performance.now() - t, res.status, res.status === expected);
    return res;
  } catch {
    rec(kind, performance.now() - t, 'conn-error', false);
    return null;
  }
}

async function pushBlob(s: Shared, rec: Record_, repo: string, blob: Buffer, chunked: boolean): Promise<boolean> {
  const c = s.client;
  const started = await timed(s, rec, 'oci blob POST', 202, () => c.req('POST', `/v2/${repo}/blobs/uploads/`, { headers: s.oci }));
  if (started?.status !== 202) return false;
  let location = started.header('location') ?? '';
  const octets = { ...s.oci, 'content-type': 'application/octet-stream' };
  if (chunked) {
    const patched = await timed(s, rec, 'oci blob PATCH', 202, () =>
      c.req('PATCH', location, { body: blob, headers: { ...octets, 'content-range': `0-${blob.length - 1}` } }),
    );
    if (patched?.status !== 202) return false;
    location = patched.header('location') ?? location;
  }
  const url = new URL(location, c.url);
  url.searchParams.set('digest', sha(blob));
  const target = url.pathname + url.search;
  const done = await timed(s, rec, 'oci blob PUT', 201, () => c.req('PUT', target, { headers: octets, ...(chunked ? {} : { body: blob }) }));
  return done?.status === 201;
}

/** A whole image push as docker does it: both blobs, then the manifest under `tag`. False when any step failed. */
async function pushImage(s: Shared, rec: Record_, repo: string, tag: string, img: SmallImage, chunked: boolean): Promise<boolean> {
  for (const blob of [img.config, img.layer]) if (!(await pushBlob(s, rec, repo, blob, chunked))) return false;
  const put = await timed(s, rec, 'oci manifest PUT', 201, () =>
    s.client.req('PUT', `/v2/${repo}/manifests/${tag}`, { body: img.manifest, headers: { ...s.oci, 'content-type': OCI_MANIFEST } }),
  );
  return put?.status === 201;
}

/** One client's push of a fresh image (monolithic for even clients, chunked for odd ones); remembers it for deletes. */
export async function push(s: Shared, rec: Record_, st: ClientState): Promise<boolean> {
  const repo = `${NS}/push${st.id % 8}`;
  const img = makeSmallImage(s.layerBytes);
  if (!(await pushImage(s, rec, repo, `c${st.id}-${st.n++}`, img, st.id % 2 === 1))) return false;
  st.pushed.push({ repo, digest: img.digest });
  return true;
}

async function pull(s: Shared, rec: Record_): Promise<void> {
  const seed = pick(s.seeds);
  await timed(s, rec, 'oci manifest GET', 200, () =>
    s.client.req('GET', `/v2/${seed.repo}/manifests/${seed.tag}`, { headers: { ...s.oci, accept: MANIFEST_ACCEPT } }),
  );
  await timed(s, rec, 'oci blob GET', 200, () => s.client.req('GET', `/v2/${seed.repo}/blobs/${seed.layer}`, { headers: s.oci }));
}

/** Deletes a manifest this client pushed (pushing one first when it has none left), so pulls of the seeds never miss. */
async function deleteOwn(s: Shared, rec: Record_, st: ClientState, pushes: { ok: number; failed: number }): Promise<void> {
  if (st.pushed.length === 0) {
    if (await push(s, rec, st)) pushes.ok++;
    else pushes.failed++;
    return;
  }
  const { repo, digest } = st.pushed.pop()!;
  await timed(s, rec, 'oci manifest DELETE', 202, () => s.client.req('DELETE', `/v2/${repo}/manifests/${digest}`, { headers: s.oci }));
}

type Work = (s: Shared, rec: Record_, st: ClientState, pushes: { ok: number; failed: number }) => Promise<void>;

/** The mix, by weight: roughly what a registry behind CI sees (many pulls and listings, a steady stream of pushes). */
export const MIX: ReadonlyArray<readonly [number, Work]> = [
  [30, (s, rec) => pull(s, rec)],
  [
    10,
    async (s, rec, st, pushes) => {
      if (await push(s, rec, st)) pushes.ok++;
      else pushes.failed++;
    },
  ],
  [4, deleteOwn],
  [
    8,
    (s, rec) => timed(s, rec, 'oci tags list', 200, () => s.client.req('GET', `/v2/${pick(s.seeds).repo}/tags/list`, { headers: s.oci })).then(() => undefined),
  ],
  [4, (s, rec) => timed(s, rec, 'oci catalog', 200, () => s.client.req('GET', '/v2/_catalog?n=100', { headers: s.oci })).then(() => undefined)],
  [3, (s, rec) => timed(s, rec, 'ecr DescribeRepositories', 200, () => ecrRaw(s.client, 'DescribeRepositories', {}, { key: s.key })).then(() => undefined)],
  [
    3,
    (s, rec) =>
      timed(s, rec, 'ecr ListImages', 200, () => ecrRaw(s.client, 'ListImages', { repositoryName: pick(s.seeds).repo }, { key: s.key })).then(() => undefined),
  ],
  [
    3,
    (s, rec) => {
      const seed = pick(s.seeds);
      const body = { repositoryName: seed.repo, imageIds: [{ imageTag: seed.tag }] };
      return timed(s, rec, 'ecr BatchGetImage', 200, () => ecrRaw(s.client, 'BatchGetImage', body, { key: s.key })).then(() => undefined);
    },
  ],
  [
    3,
    (s, rec) =>
      timed(s, rec, 'acr ListAcrImageRepositories', 200, () => acrRaw(s.client, 'ListAcrImageRepositories', {}, { key: s.key, scheme: 'ACS3' })).then(
        () => undefined,
      ),
  ],
  [
    3,
    (s, rec) =>
      timed(s, rec, 'acr ListAcrImageTags', 200, () =>
        acrRaw(s.client, 'ListAcrImageTags', { RepoId: pick(s.acrRepoIds), MaxResults: '100' }, { key: s.key, scheme: 'ACS3' }),
      ).then(() => undefined),
  ],
  [3, (s, rec) => timed(s, rec, 'ncr repositories', 200, () => ncr(s.client, 'GET', `${API}/repositories/${NS}?pagesize=100`, s.key)).then(() => undefined)],
  [
    3,
    (s, rec) => {
      const name = encodeURIComponent(pick(s.seeds).repo.slice(NS.length + 1));
      return timed(s, rec, 'ncr tags', 200, () => ncr(s.client, 'GET', `${API}/repositories/${NS}/${name}/tags?pagesize=100`, s.key)).then(() => undefined);
    },
  ],
  [
    3,
    (s, rec) =>
      timed(s, rec, 'swr repos', 200, () => swrRaw(s.client, 'GET', '/v2/manage/repos', { key: s.key, query: { namespace: NS } })).then(() => undefined),
  ],
  [
    3,
    (s, rec) => {
      const name = pick(s.seeds).repo.slice(NS.length + 1);
      return timed(s, rec, 'swr tags', 200, () => swrRaw(s.client, 'GET', `/v2/manage/namespaces/${NS}/repos/${name}/tags`, { key: s.key })).then(
        () => undefined,
      );
    },
  ],
];

const TOTAL = MIX.reduce((n, [w]) => n + w, 0);

/** One unit of work drawn from the mix by weight. */
export function draw(): Work {
  let r = Math.random() * TOTAL;
  for (const [w, work] of MIX) {
    r -= w;
    if (r < 0) return work;
  }
  return MIX[0]![1];
}

/** Pushes the seed images (repos load/app0..3, tags v0..v3), each a fresh image; throws on any failure. */
export async function seed(s: Shared, rec: Record_): Promise<Seed[]> {
  const seeds: Seed[] = [];
  for (let r = 0; r < 4; r++) {
    for (let t = 0; t < 4; t++) {
      const img = makeSmallImage(s.layerBytes);
      const repo = `${NS}/app${r}`;
      if (!(await pushImage(s, rec, repo, `v${t}`, img, false))) throw new Error(`seeding ${repo}:v${t} failed`);
      seeds.push({ repo, tag: `v${t}`, digest: img.digest, layer: sha(img.layer) });
    }
  }
  return seeds;
}
