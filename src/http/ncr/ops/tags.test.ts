// The NCR tag listing describes a page's tags a few at a time: results stay in tag order and no more run at once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mapBounded } from './tags.ts';

describe('mapBounded', () => {
  it('keeps the order of the items whatever order the calls finish in', async () => {
    const delays = [30, 1, 20, 5, 0, 12, 3];
    const out = await mapBounded(delays, 3, (ms) => new Promise<number>((r) => setTimeout(() => r(ms * 2), ms)));
    assert.deepEqual(
      out,
      delays.map((d) => d * 2),
    );
  });

  it('never runs more than the limit at once, and does run that many', async () => {
    let running = 0;
    let peak = 0;
    await mapBounded(
      Array.from({ length: 20 }, (_, i) => i),
      4,
      async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 2));
        running--;
      },
    );
    assert.equal(peak, 4);
  });

  it('an empty list gives an empty result; a failure rejects the whole', async () => {
    assert.deepEqual(await mapBounded([], 8, async () => 1), []);
    await assert.rejects(
      mapBounded([1, 2, 3], 2, async (n) => {
        if (n === 2) throw new Error('boom');
        return n;
      }),
      /boom/,
    );
  });
});
