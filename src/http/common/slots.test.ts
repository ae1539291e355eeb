// The upload slots: the global limit, the per-principal share, and the anonymous exemption.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ANONYMOUS_PRINCIPAL, defaultPerKeyShare, Slots } from './slots.ts';

describe('Slots', () => {
  it('refuses beyond the global limit and accepts again once a slot is released', () => {
    const s = new Slots(2);
    const a = s.tryAcquire('k1');
    assert.ok(a && s.tryAcquire('k2'));
    assert.equal(s.tryAcquire('k3'), null);
    a();
    a();
    assert.equal(s.inUse, 1);
    assert.ok(s.tryAcquire('k3'));
  });

  it('refuses a principal at its share while others still get slots', () => {
    const s = new Slots(4, 2);
    const first = s.tryAcquire('team');
    assert.ok(first && s.tryAcquire('team'));
    assert.equal(s.tryAcquire('team'), null);
    assert.equal(s.heldBy('team'), 2);
    assert.ok(s.tryAcquire('other'));
    first();
    assert.equal(s.heldBy('team'), 1);
    assert.ok(s.tryAcquire('team'));
  });

  it('still applies the global limit to principals under their share', () => {
    const s = new Slots(2, 2);
    assert.ok(s.tryAcquire('a') && s.tryAcquire('b'));
    assert.equal(s.tryAcquire('c'), null);
  });

  it('exempts anonymous callers from the share (auth none: everyone is one principal)', () => {
    const s = new Slots(3, 1);
    assert.ok(s.tryAcquire(ANONYMOUS_PRINCIPAL) && s.tryAcquire() && s.tryAcquire(ANONYMOUS_PRINCIPAL));
    assert.equal(s.tryAcquire(ANONYMOUS_PRINCIPAL), null);
    assert.equal(s.heldBy(ANONYMOUS_PRINCIPAL), 0);
  });

  it('with share 0 or limit 0 does not limit that dimension', () => {
    const s = new Slots(0, 0);
    for (let i = 0; i < 100; i++) assert.ok(s.tryAcquire('k'));
    const shared = new Slots(0, 1);
    assert.ok(shared.tryAcquire('k'));
    assert.equal(shared.tryAcquire('k'), null);
  });

  it('forgets a principal once it holds nothing', () => {
    const s = new Slots(4, 2);
    const r = s.tryAcquire('k');
    r?.();
    assert.equal(s.heldBy('k'), 0);
    assert.equal(s.inUse, 0);
  });

  it('defaults the share to a quarter of the limit, at least 1, unlimited staying unlimited', () => {
    assert.equal(defaultPerKeyShare(64), 16);
    assert.equal(defaultPerKeyShare(3), 1);
    assert.equal(defaultPerKeyShare(1), 1);
    assert.equal(defaultPerKeyShare(0), 0);
  });
});
