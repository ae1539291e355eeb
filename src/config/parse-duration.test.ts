// Duration parsing: what operators may write, and the junk that must never mean something.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, parseDuration } from './parse-duration.ts';

describe('parseDuration', () => {
  it('reads single units into milliseconds', () => {
    assert.equal(parseDuration('0'), 0);
    assert.equal(parseDuration('250ms'), 250);
    assert.equal(parseDuration('90s'), 90_000);
    assert.equal(parseDuration('5m'), 300_000);
    assert.equal(parseDuration('24h'), 86_400_000);
    assert.equal(parseDuration('7d'), 604_800_000);
    assert.equal(parseDuration('0s'), 0);
  });

  it('reads compound and fractional durations', () => {
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('1d2h3m4s5ms'), 86_400_000 + 7_200_000 + 180_000 + 4_000 + 5);
    assert.equal(parseDuration('1.5h'), 5_400_000);
    assert.equal(parseDuration(' 5m '), 300_000);
  });

  for (const junk of [
    '',
    ' ',
    'abc',
    '5',
    '30',
    '-5s',
    '5 s',
    '5S',
    '5M',
    '5min',
    '1m1m',
    '30m1h',
    's',
    '.5s',
    '5s junk',
    '1e3s',
    '5m5',
    'NaN',
    '99999999999999999999d',
  ]) {
    it(`rejects ${JSON.stringify(junk)} with the input in the message`, () => {
      assert.throws(
        () => parseDuration(junk),
        (e: Error) => e instanceof RangeError && e.message.includes(`invalid duration ${JSON.stringify(junk)}`),
      );
    });
  }

  it('formats back into a string it accepts', () => {
    for (const ms of [0, 250, 90_000, 5_400_000, 86_400_000 + 1]) assert.equal(parseDuration(formatDuration(ms)), ms);
    assert.equal(formatDuration(5_400_000), '1h30m');
  });
});
