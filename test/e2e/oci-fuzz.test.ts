// A bounded random walk over the /v2 surface (names, references, methods, ranges, bodies): whatever the input,
// berth answers without a 5xx, a redirect or a dropped connection. The seed is printed so a failure replays.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { type RunningBerth, startBerth } from './harness.ts';

/** Small deterministic PRNG (mulberry32) so a failing sequence can be replayed with BERTH_FUZZ_SEED. */
function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

const NAMES = ['a', 'team/app', 'A', 'a..b', 'a%2Fb', 'x/y/z', '', '_catalog', 'a/blobs', 'a//b', '../etc', 'a'.repeat(300)];
const REFS = [
  'latest',
  `sha256:${'a'.repeat(64)}`,
  'sha256:xyz',
  '%00',
  '..',
  `sha512:${'b'.repeat(128)}`,
  'v'.repeat(200),
  'uploads',
  '00000000-0000-4000-8000-000000000000',
];
const KINDS = ['manifests/', 'blobs/', 'blobs/uploads/', 'tags/list', 'referrers/'];
const METHODS = ['GET', 'HEAD', 'PUT', 'POST', 'PATCH', 'DELETE', 'OPTIONS'];
const QUERIES = [
  'n=-1',
  'n=abc',
  'last=%ff',
  'digest=sha256:zz',
  'mount=x&from=y',
  'artifactType=a%20b',
  'n=99999999999999999999',
  `digest=sha256:${'e'.repeat(64)}`,
];

describe('OCI surface under random input', () => {
  let berth: RunningBerth;
  before(async () => {
    berth = await startBerth();
  });
  after(async () => berth.dispose());

  it('never answers 5xx or 3xx, never drops the connection (3,000 requests)', async () => {
    const seed = Number(process.env.BERTH_FUZZ_SEED ?? Date.now() % 1_000_000);
    const r = prng(seed);
    const pick = <T>(a: readonly T[]): T => a[r(a.length)]!;
    const { port } = new URL(berth.url);
    const bad: string[] = [];
    for (let i = 0; i < 3_000; i++) {
      const query = r(3) === 0 ? `?${pick(QUERIES)}` : '';
      const path = `/v2/${pick(NAMES)}/${pick(KINDS)}${pick(REFS)}${query}`;
      const method = pick(METHODS);
      const headers: Record<string, string> = {};
      if (r(2)) headers['content-range'] = pick(['0-10', '10-5', 'bytes=0-', 'abc', '0-999999999999999']);
      if (r(2)) headers.range = pick(['bytes=0-0', 'bytes=-5', 'bytes=9999-', 'junk']);
      if (r(2)) headers['content-type'] = pick(['application/vnd.oci.image.manifest.v1+json', 'application/json', 'text/plain']);
      const body = ['PUT', 'POST', 'PATCH'].includes(method)
        ? Buffer.from(
            r(2) ? 'x'.repeat(r(2000)) : JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'x', digest: `sha256:${'c'.repeat(64)}`, size: 1 }] }),
          )
        : undefined;
      const status = await new Promise<number>((resolve) => {
        const req = request(
          { host: '127.0.0.1', port: Number(port), path, method, headers: body ? { ...headers, 'content-length': String(body.length) } : headers },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', () => resolve(-1));
        req.end(body);
      });
      if (status >= 500 || status < 0 || (status >= 300 && status < 400)) bad.push(`${method} ${path} ${JSON.stringify(headers)} -> ${status}`);
    }
    assert.deepEqual(bad.slice(0, 10), [], `seed ${seed}`);
  });
});
