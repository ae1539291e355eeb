// ECR's expire family on synthetic histories with exact outcomes: every worked example of AWS's examples page, then
// priorities, wildcards, ties, clock edges, pins and pull ages.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EvaluationContext, LifecycleImage } from './decision.ts';
import type { ExpireRule } from './rules.ts';
import { ago, bothEntries, brief, count, ctx, fixtures, img, pinsOf, pulledDays, pushedDays, recorded, rule } from './test-helpers.ts';

function run(images: LifecycleImage[], rules: ExpireRule[], c: EvaluationContext = ctx()): string[] {
  return recorded(images, { family: 'expire', rules }, c).map(brief);
}

describe("AWS's documented examples", () => {
  const abc = [img('A', 10, ['beta-1', 'prod-1']), img('B', 9, ['beta-2', 'prod-2']), img('C', 8, ['beta-3'])];

  it('multiple rules, example A: an image rule 1 saw is never expired by rule 2', () => {
    const rules = [rule(1, { prefixes: ['prod'] }, count(1)), rule(2, { prefixes: ['beta'] }, count(1))];
    assert.deepEqual(run(abc, rules), ['A expire by rule 1', 'B keep by rule 1', 'C keep by rule 2']);
  });

  it('multiple rules, example B: swapping priorities expires A and B', () => {
    const rules = [rule(1, { prefixes: ['beta'] }, count(1)), rule(2, { prefixes: ['prod'] }, count(1))];
    assert.deepEqual(run(abc, rules), ['A expire by rule 1', 'B expire by rule 1', 'C keep by rule 1']);
  });

  it('several prefixes in one rule select only images carrying a tag for each (example A: age)', () => {
    const images = [
      img('A', 12, ['alpha-1']),
      img('B', 11, ['beta-1']),
      img('C', 10, ['alpha-2', 'beta-2']),
      img('D', 4, ['alpha-3']),
      img('E', 3, ['beta-3']),
      img('F', 2, ['alpha-4', 'beta-4']),
    ];
    assert.deepEqual(run(images, [rule(1, { prefixes: ['alpha', 'beta'] }, pushedDays(5))]), [
      'A keep by none',
      'B keep by none',
      'C expire by rule 1',
      'D keep by none',
      'E keep by none',
      'F keep by rule 1',
    ]);
  });

  it('several prefixes in one rule: extra tags do not matter (example B: count)', () => {
    const images = [img('A', 10, ['alpha-1', 'beta-1', 'gamma-1']), img('B', 9, ['alpha-2', 'beta-2']), img('C', 8, ['alpha-3', 'beta-3', 'gamma-2'])];
    assert.deepEqual(run(images, [rule(1, { prefixes: ['alpha', 'beta'] }, count(1))]), ['A expire by rule 1', 'B expire by rule 1', 'C keep by rule 1']);
  });

  it('all images, example A: tagStatus any keeps only the newest', () => {
    const images = [img('A', 4, ['alpha-1']), img('B', 3, ['beta-1']), img('C', 2, []), img('D', 1, ['alpha-2'])];
    assert.deepEqual(run(images, [rule(1, 'any', count(1))]), ['A expire by rule 1', 'B expire by rule 1', 'C expire by rule 1', 'D keep by rule 1']);
  });

  for (const alpha of [{ prefixes: ['alpha'] }, { patterns: ['alpha*'] }]) {
    it(`all images, example B (${JSON.stringify(alpha)}): lower rules still count what higher rules saw`, () => {
      // D and E were pushed "1 day ago" both; E comes later in push order, so E is the newest and rule 3 expires D.
      // Were A, B, C, E hidden from rule 3's count, rule 3 would keep D: only the "identify, don't mark" reading fits.
      const images = [img('A', 4, ['alpha-1', 'beta-1']), img('B', 3, []), img('C', 2, ['alpha-2']), img('D', 1, ['git hash']), img('E', 1, [])];
      const rules = [rule(1, alpha, count(1)), rule(2, 'untagged', pushedDays(1)), rule(3, 'any', count(1))];
      assert.deepEqual(run(images, rules), ['A expire by rule 1', 'B expire by rule 2', 'C keep by rule 1', 'D expire by rule 3', 'E keep by rule 2']);
    });
  }

  it('filtering on age: prod* older than 14 days', () => {
    const images = [img('A', 20, ['prod-1']), img('B', 20, ['dev-1']), img('C', 3, ['prod-2'])];
    assert.deepEqual(run(images, [rule(1, { patterns: ['prod*'] }, pushedDays(14))]), ['A expire by rule 1', 'B keep by none', 'C keep by rule 1']);
  });
});

describe('priorities and selections', () => {
  it('evaluates by priority value whatever the order the rules are listed in', () => {
    const images = [img('A', 10, ['beta-1', 'prod-1']), img('B', 9, ['beta-2', 'prod-2']), img('C', 8, ['beta-3'])];
    const rules = [rule(20, { prefixes: ['beta'] }, count(1)), rule(5, { prefixes: ['prod'] }, count(1))];
    assert.deepEqual(run(images, rules), ['A expire by rule 5', 'B keep by rule 5', 'C keep by rule 20']);
  });

  it('an age rule owning an image shields it from a later count rule, yet still counts in it', () => {
    const images = [img('A', 30, ['rel-1']), img('B', 20, ['dev-1']), img('C', 2, ['rel-2']), img('D', 1, ['dev-2'])];
    const rules = [rule(1, { patterns: ['rel-*'] }, pushedDays(60)), rule(2, 'any', count(2))];
    // Rule 2 ranks D, C, B, A and keeps D and C; A is rule 1's (kept: 30 days is not more than 60), B expires.
    assert.deepEqual(run(images, rules), ['A keep by rule 1', 'B expire by rule 2', 'C keep by rule 1', 'D keep by rule 2']);
  });

  it('wildcards: prod*, *-rc and * alone; untagged images never match a tagged rule', () => {
    const images = [img('A', 9, ['prod']), img('B', 8, ['1.0-rc']), img('C', 7, ['1.0']), img('D', 6, []), img('E', 5, ['preprod'])];
    const one = (pattern: string): string[] => run(images, [rule(1, { patterns: [pattern] }, pushedDays(1))]);
    assert.deepEqual(one('prod*'), ['A expire by rule 1', 'B keep by none', 'C keep by none', 'D keep by none', 'E keep by none']);
    assert.deepEqual(one('*-rc'), ['A keep by none', 'B expire by rule 1', 'C keep by none', 'D keep by none', 'E keep by none']);
    assert.deepEqual(one('*'), ['A expire by rule 1', 'B expire by rule 1', 'C expire by rule 1', 'D keep by none', 'E expire by rule 1']);
    assert.deepEqual(one('1.*'), ['A keep by none', 'B expire by rule 1', 'C expire by rule 1', 'D keep by none', 'E keep by none']);
  });

  it('untagged rule with a count: only untagged images are ranked', () => {
    const images = [img('A', 5, []), img('B', 4, ['x']), img('C', 3, []), img('D', 2, [])];
    assert.deepEqual(run(images, [rule(1, 'untagged', count(1))]), ['A expire by rule 1', 'B keep by none', 'C expire by rule 1', 'D keep by rule 1']);
  });
});

describe('ties, clock edges and empty repositories', () => {
  it('equal push times: the image later in push order is the newer one', () => {
    const images = [img('A', 1, ['v']), img('B', 1, ['v2']), img('C', 1, ['v3'])];
    assert.deepEqual(run(images, [rule(1, 'any', count(1))]), ['A expire by rule 1', 'B expire by rule 1', 'C keep by rule 1']);
  });

  it('the ranking is by push time even if the stream is out of order', () => {
    const images = [img('C', 1, []), img('A', 3, []), img('B', 2, [])];
    assert.deepEqual(run(images, [rule(1, 'any', count(2))]), ['C keep by rule 1', 'A expire by rule 1', 'B keep by rule 1']);
  });

  it('exactly N days old is kept; one millisecond more expires', () => {
    const images = [img('A', 14, [], { ms: 1 }), img('B', 14, []), img('C', 14, [], { ms: -1 })];
    assert.deepEqual(run(images, [rule(1, 'any', pushedDays(14))]), ['A expire by rule 1', 'B keep by rule 1', 'C keep by rule 1']);
  });

  it('an empty repository yields no decisions', () => {
    assert.deepEqual(run([], [rule(1, 'any', count(1))]), []);
  });

  it('fewer images than the count: all kept', () => {
    assert.deepEqual(run([img('A', 9, [])], [rule(1, 'any', count(5))]), ['A keep by rule 1']);
  });
});

describe('pins', () => {
  const images = [img('A', 4, ['v1']), img('B', 3, ['v2']), img('C', 2, ['v3']), img('D', 1, ['v4'])];
  const keep2 = [rule(1, 'any', count(2))];

  it('a pinned old image is kept and named; the others fare exactly as without the pin', () => {
    const c = ctx({ pins: pinsOf({ A: { id: 'pin-a', reason: 'prod deploy' } }) });
    assert.deepEqual(run(images, keep2, c), ['A keep by pinned pin-a (prod deploy)', 'B expire by rule 1', 'C keep by rule 1', 'D keep by rule 1']);
  });

  it('a pinned new image keeps its place in the count: it never makes an older image expire or survive', () => {
    const c = ctx({ pins: pinsOf({ D: { id: 'pin-d', reason: 'canary' } }) });
    assert.deepEqual(run(images, keep2, c), ['A expire by rule 1', 'B expire by rule 1', 'C keep by rule 1', 'D keep by pinned pin-d (canary)']);
  });

  it('a pin past its expiry protects nothing; a pinned image is kept from an age rule too', () => {
    const c = ctx({ pins: pinsOf({ A: { id: 'pin-old', reason: 'gone', expiresAt: ago(1) }, B: { id: 'pin-b', reason: 'keep' } }) });
    assert.deepEqual(run(images, [rule(1, 'any', pushedDays(2))], c), [
      'A expire by rule 1',
      'B keep by pinned pin-b (keep)',
      'C keep by rule 1',
      'D keep by rule 1',
    ]);
  });
});

describe('pull age', () => {
  it('expires by the last recorded pull, and warns when berth never saw the image pulled', () => {
    const images = [
      img('A', 100, [], { pulledDays: 31 }),
      img('B', 100, [], { pulledDays: 30 }),
      img('C', 100, []),
      img('D', 20, []),
      img('E', 100, [], { pulledDays: 1 }),
    ];
    const c = ctx({ pullsRecordedSince: ago(40) });
    assert.deepEqual(run(images, [rule(1, 'any', pulledDays(30))], c), [
      'A expire by rule 1',
      'B keep by rule 1',
      'C expire by rule 1 !never-pulled',
      'D keep by rule 1',
      'E keep by rule 1',
    ]);
  });

  it('never looks further back than the start of recording (exactly N days after it is kept)', () => {
    const never = [img('A', 100, [])];
    const at = (days: number): string[] => run(never, [rule(1, 'any', pulledDays(30))], ctx({ pullsRecordedSince: ago(days) }));
    assert.deepEqual([at(10), at(30), at(31)], [['A keep by rule 1'], ['A keep by rule 1'], ['A expire by rule 1 !never-pulled']]);
  });
});

describe('the asynchronous entry', () => {
  it('decides every history above exactly as the synchronous engine, whatever the page size', async () => {
    assert.ok(fixtures.length > 5);
    for (const { size, got, expected } of await bothEntries(fixtures)) assert.deepEqual(got, expected, `pages of ${size}`);
  });
});
