// Listen parsing and the loopback line, which decide whether berth may start without auth.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isLoopbackHost, parseListen } from './listen.ts';

describe('parseListen', () => {
  const good: [string, string, number][] = [
    ['127.0.0.1:5000', '127.0.0.1', 5000],
    ['[::1]:5000', '::1', 5000],
    ['0.0.0.0:0', '0.0.0.0', 0],
    ['[::]:65535', '::', 65535],
    ['localhost:8080', 'localhost', 8080],
    ['registry.internal.example:443', 'registry.internal.example', 443],
  ];
  for (const [input, host, port] of good) {
    it(`accepts ${input}`, () => assert.deepEqual(parseListen(input), { host, port }));
  }

  const bad = [
    '',
    '5000',
    ':5000',
    '127.0.0.1',
    '127.0.0.1:',
    '127.0.0.1:65536',
    '127.0.0.1:-1',
    '127.0.0.1:50a',
    '::1:5000',
    '[::1]',
    '[nonsense]:5000',
    '[127.0.0.1]:5000',
    '999.1.1.1:5000',
    'bad_host:5000',
    'http://x:5000',
    ' 127.0.0.1:5000',
  ];
  for (const input of bad) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      assert.throws(
        () => parseListen(input),
        (e: Error) => e instanceof RangeError && e.message.includes(JSON.stringify(input)),
      );
    });
  }

  it('tells people IPv6 needs brackets', () => assert.throws(() => parseListen('::1:5000'), /brackets/));
});

describe('isLoopbackHost', () => {
  for (const h of ['127.0.0.1', '127.255.0.9', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', 'localhost', 'LOCALHOST']) {
    it(`${h} is loopback`, () => assert.equal(isLoopbackHost(h), true));
  }
  for (const h of ['0.0.0.0', '::', '192.0.2.1', '128.0.0.1', '::2', 'fe80::1%eth0', 'localhost.example', 'example.com']) {
    it(`${h} is not loopback`, () => assert.equal(isLoopbackHost(h), false));
  }
});
