// The entry point refuses an invalid policy before reading a single image, and streams lazily from an iterable.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RegistryError } from '../errors.ts';
import type { LifecycleImage } from './decision.ts';
import { evaluate, evaluateStream } from './evaluate.ts';
import { count, ctx, img, rule } from './test-helpers.ts';

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
});
