// The entry point refuses an invalid policy before reading a single image, and streams lazily from an iterable.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RegistryError } from '../errors.ts';
import type { LifecycleImage } from './decision.ts';
import { evaluate, evaluateStream, evaluateStreamAsync } from './evaluate.ts';
import type { RetentionPolicy } from './rules.ts';
import { ago, bothEntries, count, ctx, img, keepDays, keepNewest, pinsOf, pulledDays, pushedDays, regexp, rule } from './test-helpers.ts';

/** A deterministic history of `n` images over 400 days: untagged, prod, dev, pairs, a few moved tags and ties. */
function history(n: number): LifecycleImage[] {
  let x = 12345;
  const rand = (m: number): number => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x % m;
  };
  return Array.from({ length: n }, (_, i) => {
    const days = 400 - (i * 400) / n;
    const kind = rand(4);
    const tags = kind === 0 ? [] : kind === 1 ? [`prod-${i}`] : kind === 2 ? [`dev-${i}`] : [`dev-${i}`, `rc-${i}`];
    const moved = rand(20) === 0 && tags[0] ? { [tags[0]]: rand(30) } : {};
    return img(`i${i}`, days, tags, { pulledDays: rand(3) === 0 ? null : rand(200), tagDays: moved, ms: rand(5) === 0 ? 0 : rand(1000) });
  });
}

describe('evaluate', () => {
  it('throws INVALID_REQUEST for an invalid policy without touching the images', () => {
    let read = 0;
    const images: Iterable<LifecycleImage> = {
      *[Symbol.iterator]() {
        read += 1;
        yield img('A', 1, []);
      },
    };
    assert.throws(
      () => evaluateStream(images, { family: 'expire', rules: [rule(1, 'any', count(0))] }, ctx()),
      (e: unknown) => e instanceof RegistryError && e.code === 'INVALID_REQUEST',
    );
    assert.equal(read, 0);
  });

  it('streams: an age decision comes out before the next image is read; evaluate sorts by input position', () => {
    const pulled: string[] = [];
    function* images(): Generator<LifecycleImage> {
      for (const [name, days] of [
        ['A', 9],
        ['B', 1],
      ] as const) {
        pulled.push(name);
        yield img(name, days, []);
      }
    }
    const policy = { family: 'expire' as const, rules: [rule(1, 'any', { type: 'sinceImagePushed', days: 5 })] };
    const it = evaluateStream(images(), policy, ctx())[Symbol.iterator]();
    assert.equal(it.next().value?.verdict, 'expire');
    assert.deepEqual(pulled, ['A']);
    assert.deepEqual(
      evaluate(images(), { family: 'expire', rules: [rule(1, 'any', count(1))] }, ctx()).map((d) => [d.seq, d.verdict]),
      [
        [0, 'expire'],
        [1, 'keep'],
      ],
    );
  });

  it('the asynchronous entry refuses an invalid policy before asking for a page, and reads a page only when needed', async () => {
    let asked = 0;
    async function* pages(): AsyncGenerator<LifecycleImage[]> {
      asked += 1;
      yield [img('A', 9, [])];
      asked += 1;
      yield [img('B', 1, [])];
    }
    assert.throws(() => evaluateStreamAsync(pages(), { family: 'expire', rules: [rule(1, 'any', count(0))] }, ctx()));
    assert.equal(asked, 0);
    const policy = { family: 'expire' as const, rules: [rule(1, 'any', pushedDays(5))] };
    const it = evaluateStreamAsync(pages(), policy, ctx())[Symbol.asyncIterator]();
    assert.equal((await it.next()).value?.verdict, 'expire');
    assert.equal(asked, 1);
  });

  it('the asynchronous entry decides a 5,000-image history exactly as the synchronous one (both families, pins)', async () => {
    const images = history(5000);
    const pins = pinsOf({ i10: { id: 'p1', reason: 'old' }, i4990: { id: 'p2', reason: 'new' } });
    const expire: RetentionPolicy = {
      family: 'expire',
      rules: [
        rule(1, { prefixes: ['prod'] }, count(500)),
        rule(2, { patterns: ['dev-*'] }, pushedDays(90)),
        rule(3, 'untagged', pulledDays(30)),
        rule(4, 'any', count(1000)),
      ],
    };
    const keep: RetentionPolicy = { family: 'keep', rules: [keepNewest(700, [regexp('^rc-')]), keepDays(60)] };
    const c = ctx({ pins, pullsRecordedSince: ago(100) });
    const decided = evaluate(images, expire, c);
    assert.ok(decided.some((d) => d.verdict === 'expire') && decided.some((d) => d.verdict === 'keep'));
    const both = await bothEntries([
      { images, policy: expire, ctx: c },
      { images, policy: keep, ctx: c },
    ]);
    for (const { size, got, expected } of both) assert.deepEqual(got, expected, `pages of ${size}`);
  });
});
