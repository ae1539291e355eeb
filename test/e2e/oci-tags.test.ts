// OCI Distribution content discovery: tag listing order and paging, and the same rules for /v2/_catalog.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  asciiSorted,
  assertError,
  assertSpecOrder,
  assertStatus,
  type Client,
  followPages,
  lexicalSorted,
  MT,
  nextLink,
  pushImage,
  putManifest,
  repoName,
  useTarget,
} from './oci-helpers.ts';

interface TagList {
  name: string;
  tags: string[] | null;
}
interface Catalog {
  repositories: string[] | null;
}

// Tags that sort differently byte-wise, case-insensitively and numerically; pushed in this scrambled order.
const TAGS = ['v10', 'latest', 'B-tag', '9', 'v9', 'a_1', '10', 'V2', 'a.1', '_under', 'Zeta', '1.0', 'alpha', '1.10', '1.9'];

describe('OCI tag listing', () => {
  let c: Client;
  const repo = repoName('tags');
  let expected: string[] = [];

  useTarget((t) => (c = t.client));
  before(async () => {
    const image = await pushImage(c, repo, TAGS[0]);
    for (const tag of TAGS.slice(1)) assertStatus((await putManifest(c, repo, tag, image.bytes, MT.ociManifest)).res, 201);
    // Either allowed order is fine; the pages must then follow the one the registry chose.
    const res = await c.get(`/v2/${repo}/tags/list`);
    const served = JSON.stringify(res.status === 200 ? res.json<TagList>().tags : null);
    expected = served === JSON.stringify(lexicalSorted(TAGS)) ? lexicalSorted(TAGS) : asciiSorted(TAGS);
  });

  it('lists every tag once, with the repository name, in lexical or ASCII order', async () => {
    const res = await c.get(`/v2/${repo}/tags/list`);
    assertStatus(res, 200);
    const body = res.json<TagList>();
    assert.equal(body.name, repo);
    assert.deepEqual([...(body.tags ?? [])].sort(), [...TAGS].sort(), 'every pushed tag exactly once');
    assertSpecOrder(body.tags ?? [], 'tags/list');
    assert.equal(res.header('link'), undefined, 'no Link when everything fits');
  });

  it('?n=2 pages with Link: </v2/<name>/tags/list?n=2&last=...>; rel="next" until done, covering the list once', async () => {
    const pages = await followPages(c, `/v2/${repo}/tags/list?n=2`, 50);
    const seen: string[] = [];
    for (const [i, { res, next }] of pages.entries()) {
      const tags = res.json<TagList>().tags ?? [];
      assert.ok(tags.length <= 2, `page ${i} has ${tags.length} tags for n=2`);
      if (next !== undefined) {
        assert.ok(tags.length > 0, `page ${i} is empty yet links onward`);
        const u = new URL(next, 'http://x');
        assert.equal(u.pathname, `/v2/${repo}/tags/list`);
        assert.equal(u.searchParams.get('n'), '2');
        assert.equal(u.searchParams.get('last'), tags[tags.length - 1], 'last= is the last tag of the page');
      } else {
        assert.ok(tags.length === 2 || seen.length + tags.length === TAGS.length, `page ${i} is short without a Link`);
      }
      seen.push(...tags);
    }
    assert.deepEqual(seen, expected, 'the pages concatenate to the full list');
    assert.ok(pages.length >= Math.ceil(TAGS.length / 2), `expected at least ${Math.ceil(TAGS.length / 2)} pages, got ${pages.length}`);
  });

  it('the first page of ?n=2 holds the first two tags and a Link', async () => {
    const res = await c.get(`/v2/${repo}/tags/list?n=2`);
    assertStatus(res, 200);
    assert.deepEqual(res.json<TagList>().tags, expected.slice(0, 2));
    assert.ok(nextLink(res), 'more tags remain, so a Link is expected');
  });

  it('?last=<tag> alone returns every tag after it', async () => {
    const res = await c.get(`/v2/${repo}/tags/list?last=${encodeURIComponent(expected[3]!)}`);
    assertStatus(res, 200);
    assert.deepEqual(res.json<TagList>().tags, expected.slice(4));
  });

  it('?n=3&last=<tag> returns the three tags after it', async () => {
    const res = await c.get(`/v2/${repo}/tags/list?n=3&last=${encodeURIComponent(expected[5]!)}`);
    assertStatus(res, 200);
    assert.deepEqual(res.json<TagList>().tags, expected.slice(6, 9));
  });

  it('?last= past the final tag returns an empty list', async () => {
    const res = await c.get(`/v2/${repo}/tags/list?last=${encodeURIComponent(expected[expected.length - 1]!)}`);
    assertStatus(res, 200);
    assert.deepEqual(res.json<TagList>().tags ?? [], []);
  });

  it('?n=0 is 200 with "tags": [] and no Link', async () => {
    const res = await c.get(`/v2/${repo}/tags/list?n=0`);
    assertStatus(res, 200);
    assert.deepEqual(res.json<TagList>().tags, []);
    assert.equal(res.header('link'), undefined);
  });

  it('?n larger than the number of tags returns them all without a Link', async () => {
    const res = await c.get(`/v2/${repo}/tags/list?n=100`);
    assertStatus(res, 200);
    assert.deepEqual(res.json<TagList>().tags, expected);
    assert.equal(res.header('link'), undefined);
  });

  it('an unknown repository is 404 NAME_UNKNOWN', async () => {
    assertError(await c.get(`/v2/${repoName('tags', '-none')}/tags/list`), 404, 'NAME_UNKNOWN');
  });

  it('a list read again and again follows every tag added or deleted (the served answer is never stale)', async () => {
    const r = repoName('tags', '-moving');
    const image = await pushImage(c, r, 'a');
    const tags = async (): Promise<string[] | null> => {
      const res = await c.get(`/v2/${r}/tags/list`);
      assertStatus(res, 200);
      assert.match(res.header('content-type') ?? '', /^application\/json/);
      return res.json<TagList>().tags;
    };
    for (let i = 0; i < 3; i++) assert.deepEqual(await tags(), ['a']);
    assertStatus((await putManifest(c, r, 'b', image.bytes, MT.ociManifest)).res, 201);
    assert.deepEqual(await tags(), ['a', 'b']);
    assert.deepEqual(await tags(), ['a', 'b']);
    assertStatus(await c.req('DELETE', `/v2/${r}/manifests/a`), 202);
    assert.deepEqual(await tags(), ['b']);
    assert.deepEqual(await tags(), ['b']);
  });

  it('a repository holding only untagged manifests lists no tags (200)', async () => {
    const r = repoName('tags');
    await pushImage(c, r);
    const res = await c.get(`/v2/${r}/tags/list`);
    assertStatus(res, 200);
    assert.deepEqual(res.json<TagList>().tags ?? [], []);
  });
});

describe('OCI catalog listing', () => {
  let c: Client;
  const prefix = repoName('catalog');
  // Names whose byte order differs from a per-segment walk: "-" and "." sort before "/".
  const mine = ['b', 'a', 'a-1', 'a/b', 'a.x', 'a9', 'a10'].map((s) => `${prefix}/${s}`);

  useTarget((t) => (c = t.client));
  before(async () => {
    for (const name of mine) await pushImage(c, name, 'v1');
  });

  const listed = (res: { json<T>(): T }): string[] => res.json<Catalog>().repositories ?? [];

  it('/v2/_catalog lists every repository once, in lexical or ASCII order', async () => {
    const pages = await followPages(c, '/v2/_catalog', 1000);
    const all = pages.flatMap((p) => listed(p.res));
    for (const name of mine) assert.equal(all.filter((r) => r === name).length, 1, `${name} once in the catalog`);
    assertSpecOrder(all, '_catalog');
  });

  it('?n=2 pages with Link rel="next" (n=2, last=<last repository>) until done', async () => {
    const pages = await followPages(c, '/v2/_catalog?n=2', 5000);
    const seen: string[] = [];
    for (const [i, { res, next }] of pages.entries()) {
      const repos = listed(res);
      assert.ok(repos.length <= 2, `page ${i} has ${repos.length} entries for n=2`);
      if (next !== undefined) {
        const u = new URL(next, 'http://x');
        assert.equal(u.pathname, '/v2/_catalog');
        assert.equal(u.searchParams.get('n'), '2');
        assert.equal(u.searchParams.get('last'), repos[repos.length - 1]);
      }
      seen.push(...repos);
    }
    assertSpecOrder(seen, 'paged _catalog');
    for (const name of mine) assert.ok(seen.includes(name), `${name} missing from the paged catalog`);
    assert.equal(new Set(seen).size, seen.length, 'no repository appears on two pages');
  });

  it('?last=<repository> alone returns only repositories after it', async () => {
    const first = [...mine].sort()[0]!;
    const res = await c.get(`/v2/_catalog?last=${encodeURIComponent(first)}`);
    assertStatus(res, 200);
    const repos = listed(res);
    assert.ok(!repos.includes(first));
    for (const name of mine.filter((m) => m !== first)) assert.ok(repos.includes(name), `${name} should follow ${first}`);
    assertSpecOrder(repos, '_catalog?last=');
  });

  it('?n=0 is 200 with "repositories": [] and no Link', async () => {
    const res = await c.get('/v2/_catalog?n=0');
    assertStatus(res, 200);
    assert.deepEqual(listed(res), []);
    assert.equal(res.header('link'), undefined);
  });
});
