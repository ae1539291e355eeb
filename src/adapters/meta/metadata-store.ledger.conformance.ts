// The request-ledger part of the MetadataStore conformance suite: client tokens replay their first answer, refuse
// other parameters, expire, survive a crashed first request; nonces are single-use within their window.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { MetadataStore } from '../../core/index.ts';
import { at, HOUR, later } from './metadata-store.fixtures.ts';
import type { ConformanceSuite } from './metadata-store.kit.conformance.ts';

let counter = 0;
const key = (label: string): string => `test\0${label}\0${++counter}`;
const limits = (now: Date, retention = 24 * HOUR, stale = 300_000) => ({
  validSince: new Date(now.getTime() - retention),
  pendingStaleBefore: new Date(now.getTime() - stale),
});

export function ledgerCases(suite: ConformanceSuite): void {
  const s = (): MetadataStore => suite.kit.store();

  it('a client token is claimed once, then replays its answer; other parameters are a mismatch', async () => {
    const k = key('replay');
    assert.deepEqual(await s().claimClientToken(k, 'fp-1', at, limits(at)), { kind: 'new' });
    assert.deepEqual(await s().claimClientToken(k, 'fp-1', later(1), limits(later(1))), { kind: 'pending' }, 'the first request still runs');
    assert.deepEqual(await s().claimClientToken(k, 'fp-2', later(1), limits(later(1))), { kind: 'mismatch' });
    await s().completeClientToken(k, 'fp-1', { status: 200, body: '{"RequestId":"A"}' });
    assert.deepEqual(await s().claimClientToken(k, 'fp-1', later(2), limits(later(2))), { kind: 'done', status: 200, body: '{"RequestId":"A"}' });
    await s().completeClientToken(k, 'fp-1', { status: 404, body: 'other' });
    assert.deepEqual(
      await s().claimClientToken(k, 'fp-1', later(3), limits(later(3))),
      { kind: 'done', status: 200, body: '{"RequestId":"A"}' },
      'a completed answer is never overwritten',
    );
    assert.deepEqual(await s().claimClientToken(k, 'fp-2', later(3), limits(later(3))), { kind: 'mismatch' });
  });

  it('a token is forgotten after its retention; a released or abandoned claim can be taken again', async () => {
    const k = key('expire');
    await s().claimClientToken(k, 'fp', at, limits(at));
    await s().completeClientToken(k, 'fp', { status: 200, body: 'first' });
    const dayLater = later(24 * HOUR + 1);
    assert.deepEqual(await s().claimClientToken(k, 'other', dayLater, limits(dayLater)), { kind: 'new' }, 'expired: a new use');
    await s().releaseClientToken(k, 'other');
    assert.deepEqual(await s().claimClientToken(k, 'fp', later(24 * HOUR + 2), limits(later(24 * HOUR + 2))), { kind: 'new' }, 'released');
    const crashed = later(24 * HOUR + 2 + 300_001);
    assert.deepEqual(await s().claimClientToken(k, 'fp', crashed, limits(crashed)), { kind: 'new' }, 'a pending claim past its staleness is taken over');
    await s().releaseClientToken(k, 'not-the-owner');
    assert.deepEqual(await s().claimClientToken(k, 'fp', crashed, limits(crashed)), { kind: 'pending' }, 'release needs the same fingerprint');
  });

  it('a nonce is accepted once within its window, and again only after it', async () => {
    const k = key('nonce');
    const window = (now: Date) => new Date(now.getTime() - 30 * 60_000);
    assert.equal(await s().useNonce(k, at, window(at)), true);
    assert.equal(await s().useNonce(k, later(1000), window(later(1000))), false, 'replayed');
    const much = later(30 * 60_000 + 1);
    assert.equal(await s().useNonce(k, much, window(much)), true, 'outside the window the old use no longer counts');
    assert.equal(await s().useNonce(key('nonce'), at, window(at)), true, 'another nonce');
  });

  suite.isolated('prunes tokens and nonces older than the given instants, in bounded batches', async (kit) => {
    const st = kit.store();
    for (let i = 0; i < 5; i++) {
      await st.claimClientToken(`t${i}`, 'fp', later(i), limits(later(i)));
      assert.equal(await st.useNonce(`n${i}`, later(i), at), true);
    }
    assert.equal(await st.pruneRequestLedger({ tokens: later(3), nonces: later(2) }, 2), 2, 'at most the limit');
    assert.equal(await st.pruneRequestLedger({ tokens: later(3), nonces: later(2) }, 100), 3, 'the rest of what is old');
    assert.equal(await st.pruneRequestLedger({ tokens: later(3), nonces: later(2) }, 100), 0);
    assert.deepEqual(await st.claimClientToken('t3', 'other', later(10), limits(later(10))), { kind: 'mismatch' }, 'a newer token stayed');
    assert.equal(await st.useNonce('n2', later(10), at), false, 'a newer nonce stayed');
    assert.equal(await st.useNonce('n1', later(10), at), true, 'an old one went');
  });
}
