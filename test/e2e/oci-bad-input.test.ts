// Hostile and malformed OCI requests: every one must get a clean 4xx (never a 5xx or a redirect), in the error
// envelope when there is a body, and none may make the registry write anywhere but its data directory.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { before, describe, it } from 'node:test';
import {
  assertCleanRejection,
  assertStatus,
  type Client,
  envelopeOf,
  MT,
  type PushedImage,
  pushBlob,
  pushImage,
  type ReqOptions,
  type Res,
  random,
  randomHex,
  rangeEnd,
  repoName,
  sha256,
  type Target,
  useTarget,
  withQuery,
} from './oci-helpers.ts';

interface Probe {
  method: string;
  path: string;
  options?: ReqOptions;
  /** Statuses besides 4xx that the spec allows for this probe (e.g. 202 for a mount that falls back). */
  alsoAllowed?: number[];
  /** Outside the /v2/ prefix the OCI envelope is not owed: any 4xx will do. */
  outsideV2?: boolean;
}

const TOKEN = `berthcanary${randomHex(6)}`;
const octet = { 'content-type': 'application/octet-stream' };

/** Sends every probe and fails once, listing each answer that was not a clean refusal. */
async function expectClean(c: Client, probes: Probe[]): Promise<void> {
  const problems: string[] = [];
  for (const p of probes) {
    let res: Res;
    try {
      res = await c.req(p.method, p.path, p.options);
    } catch (e) {
      problems.push(`${p.method} ${p.path.slice(0, 200)}: no answer (${(e as Error).message})`);
      continue;
    }
    if (p.alsoAllowed?.includes(res.status)) continue;
    try {
      if (p.outsideV2) assert.ok(res.status >= 400 && res.status < 500, `${res.describe()}: expected a 4xx`);
      else assertCleanRejection(res);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  assert.deepEqual(problems, [], `requests not cleanly refused:\n${problems.join('\n')}`);
}

/** Every path under `dir` (bounded), relative to it. */
async function walk(dir: string, limit = 200_000): Promise<string[]> {
  const out: string[] = [];
  const queue = [''];
  while (queue.length > 0 && out.length < limit) {
    const rel = queue.shift()!;
    const entries = await readdir(join(dir, rel), { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      out.push(p);
      if (e.isDirectory()) queue.push(p);
    }
  }
  return out;
}

describe('OCI bad input', () => {
  let target: Target;
  let c: Client;
  const repo = repoName('bad');
  let image: PushedImage;
  let baseline: string[] | undefined;

  useTarget((t) => {
    target = t;
    c = t.client;
  });
  before(async () => {
    // Exercise every kind of write once, so the data dir's top-level layout is complete before the probes.
    image = await pushImage(c, repo, 'v1');
    await pushImage(c, repo, undefined, { emptyConfig: true, artifactType: 'application/vnd.example', subject: image.descriptor });
    const post = await c.req('POST', `/v2/${repo}/blobs/uploads/`);
    assertStatus(post, 202);
    assertStatus(await c.req('PATCH', post.header('location')!, { body: random(10), headers: { ...octet, 'content-range': '0-9' } }), 202);
    const doomed = await pushBlob(c, repo, random(10));
    assertStatus(await c.req('DELETE', `/v2/${repo}/blobs/${doomed.digest}`), 202);
    await c.get(`/v2/${repo}/referrers/${image.digest}`);
    if (target.dataDir) baseline = (await readdir(target.dataDir)).sort();
  });

  it('upper-case repository names are refused', async () => {
    await expectClean(c, [
      { method: 'GET', path: '/v2/Team/App/manifests/latest' },
      { method: 'HEAD', path: '/v2/Team/App/manifests/latest' },
      { method: 'GET', path: '/v2/TEAM/tags/list' },
      { method: 'POST', path: `/v2/Upper${TOKEN}/blobs/uploads/` },
      { method: 'PUT', path: `/v2/Upper${TOKEN}/manifests/v1`, options: { body: image.bytes, headers: { 'content-type': MT.ociManifest } } },
    ]);
  });

  it('".." segments in names are refused, raw and percent-encoded', async () => {
    await expectClean(c, [
      { method: 'GET', path: `/v2/${repo}/../${repo}/manifests/v1` },
      { method: 'GET', path: '/v2/../../../etc/passwd/manifests/latest' },
      { method: 'POST', path: `/v2/../../../../tmp/${TOKEN}/blobs/uploads/` },
      { method: 'POST', path: `/v2/a/../../../../tmp/${TOKEN}/blobs/uploads/?digest=${sha256(EMPTY)}` },
      { method: 'PUT', path: `/v2/a/../../../tmp/${TOKEN}/manifests/v1`, options: { body: image.bytes, headers: { 'content-type': MT.ociManifest } } },
      { method: 'POST', path: `/v2/%2e%2e/%2e%2e/tmp/${TOKEN}/blobs/uploads/` },
      { method: 'POST', path: `/v2/%2E%2E%2F%2E%2E%2Ftmp%2F${TOKEN}/blobs/uploads/` },
      { method: 'GET', path: `/v2/${repo}/..%2f..%2f..%2fetc/manifests/latest` },
      { method: 'POST', path: `/v2/..%5c..%5ctmp%5c${TOKEN}/blobs/uploads/` },
      { method: 'POST', path: `/v2/..\\..\\tmp\\${TOKEN}/blobs/uploads/` },
      { method: 'GET', path: `/v2/${repo}%00/manifests/v1` },
    ]);
  });

  it('"%2F" inside a name is refused (an encoded slash is not a path separator)', async () => {
    const [ns, rest] = repo.split('/') as [string, string];
    await expectClean(c, [
      { method: 'GET', path: `/v2/${ns}%2F${rest}/manifests/v1` },
      { method: 'GET', path: `/v2/${ns}%2f${rest}/tags/list` },
      { method: 'POST', path: `/v2/${ns}%2F${TOKEN}/blobs/uploads/` },
      { method: 'GET', path: `/v2/${ns}%252F${rest}/manifests/v1` },
    ]);
  });

  it('empty path segments ("//") and separators at the ends of names are refused', async () => {
    await expectClean(c, [
      { method: 'GET', path: `/v2/${repo.replace('/', '//')}/manifests/v1` },
      { method: 'GET', path: '//v2//etc/passwd/manifests/latest', outsideV2: true },
      { method: 'POST', path: `/v2/${TOKEN}//x/blobs/uploads/` },
      { method: 'POST', path: `/v2//${TOKEN}/blobs/uploads/` },
      { method: 'GET', path: `/v2/${repo}-/manifests/v1` },
      { method: 'GET', path: `/v2/${repo}./manifests/v1` },
      { method: 'GET', path: `/v2/${repo}_/tags/list` },
      { method: 'GET', path: `/v2/-${TOKEN}/tags/list` },
    ]);
  });

  it('names longer than 255 characters are refused', async () => {
    const long = `${TOKEN}${'a'.repeat(256)}`;
    const deep = Array.from({ length: 130 }, () => 'ab').join('/');
    await expectClean(c, [
      { method: 'POST', path: `/v2/${long}/blobs/uploads/` },
      { method: 'PUT', path: `/v2/${long}/manifests/v1`, options: { body: image.bytes, headers: { 'content-type': MT.ociManifest } } },
      { method: 'GET', path: `/v2/${deep}/tags/list` },
      { method: 'GET', path: `/v2/${'a'.repeat(8000)}/manifests/latest` },
    ]);
  });

  it('a trailing slash after an endpoint is not served (and never redirected)', async () => {
    await expectClean(c, [
      { method: 'GET', path: `/v2/${repo}/manifests/v1/` },
      { method: 'GET', path: `/v2/${repo}/tags/list/` },
      { method: 'GET', path: `/v2/${repo}/blobs/${image.config.digest}/` },
      { method: 'GET', path: `/v2/${repo}/` },
      { method: 'GET', path: `/v2/${repo}/referrers/${image.digest}/` },
    ]);
  });

  it('path traversal in digests is refused, raw and in every encoding', async () => {
    const bad = [
      'sha256:../../etc/passwd',
      'sha256:..%2F..%2F..%2Fetc%2Fpasswd',
      'sha256:..%2f..%2f..%2fetc%2fpasswd',
      'sha256%3A..%2F..%2Fetc%2Fpasswd',
      'sha256:..%252F..%252Fetc%252Fpasswd',
      `sha256:..%2F..%2F..%2F..%2Ftmp%2F${TOKEN}`,
      'sha256:%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      'sha256:..\\..\\etc\\passwd',
      '..%2F..%2F..%2Fetc%2Fpasswd',
    ];
    const probes: Probe[] = [];
    for (const d of bad) {
      probes.push({ method: 'GET', path: `/v2/${repo}/blobs/${d}` });
      probes.push({ method: 'HEAD', path: `/v2/${repo}/blobs/${d}` });
      probes.push({ method: 'DELETE', path: `/v2/${repo}/blobs/${d}` });
      probes.push({ method: 'GET', path: `/v2/${repo}/manifests/${d}` });
      probes.push({ method: 'DELETE', path: `/v2/${repo}/manifests/${d}` });
      probes.push({ method: 'PUT', path: `/v2/${repo}/manifests/${d}`, options: { body: image.bytes, headers: { 'content-type': MT.ociManifest } } });
      probes.push({ method: 'GET', path: `/v2/${repo}/referrers/${d}` });
    }
    await expectClean(c, probes);
  });

  it('traversal in the digest query of an upload is 400 and writes nothing', async () => {
    const data = random(20);
    const probes: Probe[] = [];
    for (const d of [`sha256:../../../../tmp/${TOKEN}`, `sha256:..%2F..%2F..%2F..%2Ftmp%2F${TOKEN}`, `../../../../tmp/${TOKEN}`]) {
      const post = await c.req('POST', `/v2/${repo}/blobs/uploads/`);
      assertStatus(post, 202);
      const location = post.header('location')!;
      probes.push({ method: 'PUT', path: `${location}${location.includes('?') ? '&' : '?'}digest=${d}`, options: { body: data, headers: octet } });
      probes.push({ method: 'POST', path: `/v2/${repo}/blobs/uploads/?digest=${d}`, options: { body: data, headers: octet } });
    }
    await expectClean(c, probes);
  });

  it('a mount with traversal in mount= or from= falls back to an upload session or is refused, never more', async () => {
    await expectClean(c, [
      { method: 'POST', path: `/v2/${repo}/blobs/uploads/?mount=sha256:..%2F..%2Ftmp%2F${TOKEN}&from=${repo}`, alsoAllowed: [202] },
      { method: 'POST', path: `/v2/${repo}/blobs/uploads/?mount=${image.config.digest}&from=..%2F..%2F..%2Ftmp%2F${TOKEN}`, alsoAllowed: [202] },
      { method: 'POST', path: `/v2/${repo}/blobs/uploads/?mount=${image.config.digest}&from=../../${repo}`, alsoAllowed: [202] },
    ]);
  });

  it('traversal in upload session ids and tags is refused', async () => {
    await expectClean(c, [
      { method: 'GET', path: `/v2/${repo}/blobs/uploads/..%2F..%2F..%2Ftmp%2F${TOKEN}` },
      { method: 'PATCH', path: `/v2/${repo}/blobs/uploads/..%2F..%2F..%2Ftmp%2F${TOKEN}`, options: { body: random(10), headers: octet } },
      { method: 'PATCH', path: `/v2/${repo}/blobs/uploads/${TOKEN}`, options: { body: random(10), headers: { ...octet, 'content-range': '0-9' } } },
      { method: 'PUT', path: `/v2/${repo}/blobs/uploads/${TOKEN}?digest=${sha256(EMPTY)}`, options: { body: EMPTY, headers: octet } },
      { method: 'DELETE', path: `/v2/${repo}/blobs/uploads/..%2F..%2F${TOKEN}` },
      {
        method: 'PUT',
        path: `/v2/${repo}/manifests/..%2F..%2F..%2Ftmp%2F${TOKEN}`,
        options: { body: image.bytes, headers: { 'content-type': MT.ociManifest } },
      },
      { method: 'PUT', path: `/v2/${repo}/manifests/..`, options: { body: image.bytes, headers: { 'content-type': MT.ociManifest } } },
      { method: 'PUT', path: `/v2/${repo}/manifests/.${TOKEN}`, options: { body: image.bytes, headers: { 'content-type': MT.ociManifest } } },
      { method: 'PUT', path: `/v2/${repo}/manifests/${'t'.repeat(5000)}`, options: { body: image.bytes, headers: { 'content-type': MT.ociManifest } } },
    ]);
  });

  it('digests of the wrong length, upper-case hex or unknown algorithms are refused', async () => {
    const hex = sha256(image.bytes).slice('sha256:'.length);
    const bad = [
      'sha256:abc',
      `sha256:${hex.slice(1)}`,
      `sha256:${hex}0`,
      `sha256:${hex.toUpperCase()}`,
      `md5:${hex.slice(0, 32)}`,
      `sha1:${hex.slice(0, 40)}`,
      'sha256:',
      `:${hex}`,
      `sha512:${hex}`,
    ];
    const probes: Probe[] = [];
    for (const d of bad) {
      probes.push({ method: 'GET', path: `/v2/${repo}/blobs/${d}` });
      probes.push({ method: 'GET', path: `/v2/${repo}/manifests/${d}` });
      probes.push({ method: 'PUT', path: `/v2/${repo}/manifests/${d}`, options: { body: image.bytes, headers: { 'content-type': MT.ociManifest } } });
      probes.push({ method: 'GET', path: `/v2/${repo}/referrers/${d}` });
    }
    await expectClean(c, probes);
  });

  it('closing an upload with an upper-case or truncated digest of the right content is 400 DIGEST_INVALID', async () => {
    const data = random(40);
    const hex = sha256(data).slice('sha256:'.length);
    for (const d of [`sha256:${hex.toUpperCase()}`, `sha256:${hex.slice(0, 63)}`, 'sha256', '']) {
      const post = await c.req('POST', `/v2/${repo}/blobs/uploads/`);
      assertStatus(post, 202);
      const res = await c.req('PUT', withQuery(post.header('location')!, 'digest', d), { body: data, headers: octet });
      assert.equal(res.status, 400, res.describe());
      assert.ok(
        envelopeOf(res).errors.some((e) => e.code === 'DIGEST_INVALID'),
        res.describe(),
      );
    }
  });

  it('absurd Content-Range values on PATCH are refused and do not move the upload', async () => {
    const post = await c.req('POST', `/v2/${repo}/blobs/uploads/`);
    assertStatus(post, 202);
    const location = post.header('location')!;
    const ranges = [
      '0-99999999999999999999999',
      '0-18446744073709551615',
      '0-9007199254740993',
      '-1-8',
      'abc',
      'bytes=abc',
      '0-',
      '-9',
      '0-4-9',
      '9-0',
      '1e3-1e4',
      '0x0-0x9',
    ];
    const probes: Probe[] = ranges.map((r) => ({ method: 'PATCH', path: location, options: { body: random(10), headers: { ...octet, 'content-range': r } } }));
    await expectClean(c, probes);
    const status = await c.get(location);
    assertStatus(status, 204);
    assert.equal(rangeEnd(status), 0, 'nothing was appended');
  });

  it('absurd Range values on a blob GET never cause a 5xx', async () => {
    const url = `/v2/${repo}/blobs/${image.config.digest}`;
    const problems: string[] = [];
    for (const range of [
      'bytes=99999999999999999999-',
      'bytes=0-99999999999999999999',
      'bytes=-99999999999999999999',
      'bytes=abc',
      'bytes=5-1',
      `bytes=${Array.from({ length: 500 }, (_, i) => `${i}-${i}`).join(',')}`,
      'items=0-1',
    ]) {
      const res = await c.get(url, { headers: { range } });
      if (![200, 206, 416].includes(res.status)) problems.push(`Range ${range.slice(0, 40)}: ${res.describe()}`);
    }
    assert.deepEqual(problems, []);
  });

  it('negative, non-numeric and overflowing n= are refused (or, for huge n, answered with a normal list)', async () => {
    const probes: Probe[] = [];
    for (const base of [`/v2/${repo}/tags/list`, '/v2/_catalog']) {
      for (const n of ['-1', '-100', 'abc', '1e3x', '0x10']) probes.push({ method: 'GET', path: `${base}?n=${n}` });
    }
    await expectClean(c, probes);
    for (const base of [`/v2/${repo}/tags/list`, '/v2/_catalog']) {
      for (const n of ['99999999999999999999', '9007199254740993', '1e309', '2147483648']) {
        const res = await c.get(`${base}?n=${n}`);
        if (res.status === 200) {
          const body = res.json<{ tags?: unknown; repositories?: unknown }>();
          assert.ok(Array.isArray(body.tags ?? body.repositories), `${res.describe()}: a 200 must still be a list`);
        } else {
          assertCleanRejection(res);
        }
      }
    }
  });

  it('manifests naming traversal digests inside are refused', async () => {
    const evil = { mediaType: MT.ociLayer, digest: `sha256:../../../../tmp/${TOKEN}`, size: 10 };
    const probes: Probe[] = [];
    for (const m of [
      { schemaVersion: 2, mediaType: MT.ociManifest, config: image.config, layers: [evil] },
      { schemaVersion: 2, mediaType: MT.ociManifest, config: { ...evil, mediaType: MT.ociConfig }, layers: [] },
      { schemaVersion: 2, mediaType: MT.ociManifest, config: image.config, layers: image.layers, subject: { ...evil, mediaType: MT.ociManifest } },
      { schemaVersion: 2, mediaType: MT.ociIndex, manifests: [{ ...evil, mediaType: MT.ociManifest }] },
    ]) {
      probes.push({ method: 'PUT', path: `/v2/${repo}/manifests/evil`, options: { body: JSON.stringify(m), headers: { 'content-type': m.mediaType } } });
    }
    await expectClean(c, probes);
    const tags = await c.get(`/v2/${repo}/tags/list`);
    assert.ok(!(tags.json<{ tags: string[] }>().tags ?? []).includes('evil'));
  });

  it('after all of the above the registry still serves, and nothing was written outside its data dir', async () => {
    assertStatus(await c.get('/v2/'), 200);
    assertStatus(await c.get(`/v2/${repo}/manifests/v1`, { headers: { accept: MT.ociManifest } }), 200);
    const places = new Set([tmpdir(), '/tmp', process.cwd()]);
    if (target.dataDir) places.add(dirname(target.dataDir));
    for (const place of places) {
      assert.ok(!existsSync(join(place, TOKEN)), `${join(place, TOKEN)} was created`);
      const entries = await readdir(place).catch(() => [] as string[]);
      const hit = entries.filter((e) => e.includes(TOKEN));
      assert.deepEqual(hit, [], `entries named after the canary in ${place}`);
    }
    if (target.dataDir) {
      const inside = (await walk(target.dataDir)).filter((p) => p.includes(TOKEN) || p.includes('passwd') || p.split('/').includes('..'));
      assert.deepEqual(inside, [], 'the data dir holds paths made from hostile input');
      const top = (await readdir(target.dataDir)).sort();
      assert.deepEqual(
        top.filter((e) => !baseline!.includes(e)),
        [],
        `unexpected new top-level entries in the data dir (baseline ${JSON.stringify(baseline)})`,
      );
    }
  });
});

const EMPTY = Buffer.alloc(0);
