// The browsing API shows a caller only what it may pull: a key with pull on one namespace sees that namespace's
// repositories, counts and pages over them alone; per-repository routes refuse the rest, as /v2 does.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, assertApiError, okJson } from './berth-api-helpers.ts';
import { AuthClient, createKey, type KeyedBerth, keyBasic, startKeyedBerth } from './key-helpers.ts';
import { pushImage, randomHex } from './oci-helpers.ts';

describe('berth API browsing: visibility', () => {
  let k: KeyedBerth;
  const [mine, theirs] = [`vis${randomHex(4)}`, `vis${randomHex(4)}`];
  const mineRepos = ['a', 'b', 'c', 'd', 'e'].map((n) => `${mine}/${n}`);
  const theirRepos = ['a', 'b', 'c'].map((n) => `${theirs}/${n}`);
  let reader: AuthClient;
  before(async () => {
    k = await startKeyedBerth('browse-vis');
    for (const repo of [...mineRepos, ...theirRepos]) await pushImage(k.oci, repo, 'v1');
    const key = await createKey(k.berth, '--name', 'reader', '--grant', `${mine}/*:pull`, '--grant', `${theirs}/b:pull`);
    reader = new AuthClient(k.berth.url, keyBasic(key));
  });
  after(async () => k?.dispose());

  const list = async <T>(c: AuthClient, path: string, field: string): Promise<{ items: T[]; next: string | null }> => {
    const body = okJson<Record<string, unknown>>(await api(c, 'GET', path));
    return { items: body[field] as T[], next: body.next as string | null };
  };

  it('lists only visible repositories, paged whole over them, and searches among them only', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 10; i++) {
      const page: { items: Array<{ name: string }>; next: string | null } = await list(
        reader,
        `/berth/v1/repositories?limit=2${cursor ? `&after=${encodeURIComponent(cursor)}` : ''}`,
        'repositories',
      );
      assert.ok(page.items.length === 2 || page.next === null, `a page ends short only at the end: ${JSON.stringify(page)}`);
      seen.push(...page.items.map((r) => r.name));
      cursor = page.next;
      if (cursor === null) break;
    }
    assert.deepEqual(seen, [...mineRepos, `${theirs}/b`].sort());
    const searched = await list<{ name: string }>(reader, `/berth/v1/repositories?q=${theirs}`, 'repositories');
    assert.deepEqual(
      searched.items.map((r) => r.name),
      [`${theirs}/b`],
    );
    const admin = await list<{ name: string }>(k.oci, `/berth/v1/repositories?namespace=${theirs}`, 'repositories');
    assert.deepEqual(
      admin.items.map((r) => r.name),
      theirRepos,
    );
  });

  it('lists namespaces with counts of visible repositories only', async () => {
    const spaces = await list<{ name: string; repositoryCount: number }>(reader, '/berth/v1/namespaces', 'namespaces');
    assert.deepEqual(
      spaces.items.map((n) => [n.name, n.repositoryCount]),
      [
        [mine, 5],
        [theirs, 1],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    const all = await list<{ name: string; repositoryCount: number }>(k.oci, `/berth/v1/namespaces?q=${theirs}`, 'namespaces');
    assert.deepEqual(
      all.items.map((n) => [n.name, n.repositoryCount]),
      [[theirs, 3]],
    );
  });

  it('refuses per-repository routes on repositories it may not pull, known or not', async () => {
    for (const path of [`${theirs}/a/tags`, `${theirs}/a/manifests`, `${theirs}/nothing/tags`]) {
      assertApiError(await api(reader, 'GET', `/berth/v1/repositories/${path}`), 403, 'DENIED');
    }
    assertApiError(await api(reader, 'GET', `/berth/v1/repositories/${mine}/nothing/tags`), 404, 'NAME_UNKNOWN');
    const tags = await list<{ tag: string }>(reader, `/berth/v1/repositories/${theirs}/b/tags`, 'tags');
    assert.deepEqual(
      tags.items.map((t) => t.tag),
      ['v1'],
    );
  });
});
