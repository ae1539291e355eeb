// The listing rule and its pager: pages stay full when entries are hidden, nothing visible is lost between pages,
// and a policy Deny of pull hides what the grants would show.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Principal } from '../../auth/index.ts';
import { visiblePage, visibleTo } from './visibility.ts';

const names = Array.from({ length: 250 }, (_, i) => `ns/r${String(i).padStart(3, '0')}`);
const fetch = async (after: string | undefined, limit: number): Promise<string[]> => names.filter((n) => after === undefined || n > after).slice(0, limit);
const key = (repositories: string): Principal => ({ kind: 'key', keyId: 'K', grants: [{ repositories, actions: ['pull'] }] });

describe('visibility', () => {
  it('pages of visible names are full and together give every visible name once', async () => {
    const visible = async (n: string): Promise<boolean> => Number(n.slice(4)) % 3 === 0;
    const seen: string[] = [];
    let after: string | undefined;
    for (let i = 0; i < 100; i++) {
      const page = await visiblePage(fetch, (n) => n, visible, 7, after);
      if (page.next !== undefined) assert.equal(page.items.length, 7, 'a page before the end is full');
      seen.push(...page.items);
      after = page.next;
      if (after === undefined) break;
    }
    assert.deepEqual(
      seen,
      names.filter((n) => Number(n.slice(4)) % 3 === 0),
    );
  });

  it('prefetches each fetched batch once, before any of its names is asked', async () => {
    const prefetched: string[][] = [];
    const asked: string[] = [];
    const visible = async (n: string): Promise<boolean> => {
      assert.ok(
        prefetched.some((b) => b.includes(n)),
        `${n} was prefetched before it was asked`,
      );
      asked.push(n);
      return Number(n.slice(4)) % 10 === 0;
    };
    const page = await visiblePage(
      fetch,
      (n) => n,
      visible,
      20,
      undefined,
      async (batch) => void prefetched.push([...batch]),
    );
    assert.equal(page.items.length, 20);
    assert.deepEqual(
      prefetched.map((b) => b.length),
      [100, 100, 50],
      'r000-r190 hold 20 visible names; the 21st, which says the page is not the last, is in the third batch',
    );
    assert.equal(new Set(asked).size, asked.length, 'each name asked once');
  });

  it('ends without a trailing empty page when only hidden names follow the last page', async () => {
    const visible = async (n: string): Promise<boolean> => n <= 'ns/r004';
    const page = await visiblePage(fetch, (n) => n, visible, 5, undefined);
    assert.deepEqual([page.items.length, page.next], [5, undefined]);
  });

  it('grants allow pull and no policy denies it: both are needed', async () => {
    const denies = async (_p: Principal, repository: string, actions: readonly string[]): Promise<boolean> =>
      repository === 'secret/db' && actions.includes('ecr:BatchGetImage');
    const rule = visibleTo(key('*'), denies);
    assert.equal(await rule('secret/db'), false);
    assert.equal(await rule('secret/app'), true);
    assert.equal(await visibleTo(key('team/*'), denies)('secret/app'), false);
    assert.equal(await visibleTo({ kind: 'anonymous-admin' }, undefined)('secret/db'), true);
  });
});
