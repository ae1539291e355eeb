// The upload slots: the global limit, the per-principal share, the anonymous exemption, and the bounded wait queue.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ANONYMOUS_PRINCIPAL, defaultPerKeyShare, type Refusal, type Release, Slots } from './slots.ts';

describe('Slots', () => {
  it('refuses beyond the global limit and accepts again once a slot is released', () => {
    const s = new Slots({ max: 2 });
    const a = s.tryAcquire('k1');
    assert.ok(a && s.tryAcquire('k2'));
    assert.equal(s.tryAcquire('k3'), null);
    a();
    a();
    assert.equal(s.inUse, 1);
    assert.ok(s.tryAcquire('k3'));
  });

  it('refuses a principal at its share while others still get slots', () => {
    const s = new Slots({ max: 4, perPrincipal: 2 });
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
    const s = new Slots({ max: 2, perPrincipal: 2 });
    assert.ok(s.tryAcquire('a') && s.tryAcquire('b'));
    assert.equal(s.tryAcquire('c'), null);
  });

  it('exempts anonymous callers from the share (auth none: everyone is one principal)', () => {
    const s = new Slots({ max: 3, perPrincipal: 1 });
    assert.ok(s.tryAcquire(ANONYMOUS_PRINCIPAL) && s.tryAcquire() && s.tryAcquire(ANONYMOUS_PRINCIPAL));
    assert.equal(s.tryAcquire(ANONYMOUS_PRINCIPAL), null);
    assert.equal(s.heldBy(ANONYMOUS_PRINCIPAL), 0);
  });

  it('with share 0 or limit 0 does not limit that dimension', () => {
    const s = new Slots({ max: 0, perPrincipal: 0 });
    for (let i = 0; i < 100; i++) assert.ok(s.tryAcquire('k'));
    const shared = new Slots({ max: 0, perPrincipal: 1 });
    assert.ok(shared.tryAcquire('k'));
    assert.equal(shared.tryAcquire('k'), null);
  });

  it('forgets a principal once it holds nothing', () => {
    const s = new Slots({ max: 4, perPrincipal: 2 });
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

/** Starts waits and records, in order, which of them got a slot. */
function waits(s: Slots, principals: string[], signal?: AbortSignal): { order: string[]; results: Promise<Release | Refusal>[] } {
  const order: string[] = [];
  const results = principals.map((p, i) =>
    s.acquire(p, signal).then((r) => {
      if (typeof r === 'function') order.push(`${p}#${i}`);
      return r;
    }),
  );
  return { order, results };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('Slots queue', () => {
  it('grants at once while slots are free, then hands freed slots to waiters in arrival order', async () => {
    const s = new Slots({ max: 1, maxQueued: 10 });
    const first = await s.acquire('a');
    assert.equal(typeof first, 'function');
    const w = waits(s, ['b', 'c', 'd']);
    await tick();
    assert.equal(s.queued, 3);
    assert.deepEqual(w.order, []);
    (first as Release)();
    await tick();
    assert.deepEqual(w.order, ['b#0']);
    ((await w.results[0]) as Release)();
    await tick();
    ((await w.results[1]) as Release)();
    await tick();
    assert.deepEqual(w.order, ['b#0', 'c#1', 'd#2']);
    assert.equal(s.inUse, 1);
    assert.equal(s.queued, 0);
  });

  it('refuses with queue-full once maxQueued wait, and at once with no queue', async () => {
    const s = new Slots({ max: 1, maxQueued: 2 });
    assert.ok(s.tryAcquire());
    const w = waits(s, [ANONYMOUS_PRINCIPAL, ANONYMOUS_PRINCIPAL]);
    assert.equal(await s.acquire(), 'queue-full');
    assert.equal(s.queued, 2);
    const none = new Slots({ max: 1 });
    assert.ok(none.tryAcquire());
    assert.equal(await none.acquire('k'), 'queue-full');
    void w;
  });

  it('refuses a waiter after queueTimeoutMs and frees its place', async () => {
    const s = new Slots({ max: 1, maxQueued: 1, queueTimeoutMs: 30 });
    assert.ok(s.tryAcquire());
    const started = Date.now();
    assert.equal(await s.acquire('k'), 'timeout');
    assert.ok(Date.now() - started >= 25);
    assert.equal(s.queued, 0);
    assert.equal(s.inUse, 1);
  });

  it('a waiter whose client goes away leaves the queue and never takes a slot', async () => {
    const s = new Slots({ max: 1, maxQueued: 5 });
    const held = s.tryAcquire();
    const gone = new AbortController();
    const w = waits(s, ['a'], gone.signal);
    const later = s.acquire('b');
    await tick();
    gone.abort();
    assert.equal(await w.results[0], 'aborted');
    assert.equal(s.queued, 1);
    held?.();
    const b = await later;
    assert.equal(typeof b, 'function');
    (b as Release)();
    assert.equal(s.inUse, 0);
    assert.equal(s.queued, 0);
    assert.equal(await s.acquire('c', AbortSignal.abort()), 'aborted');
  });

  it('a key at its share waits, and other keys arriving later are served first', async () => {
    const s = new Slots({ max: 3, perPrincipal: 2, maxQueued: 10 });
    const team = [s.tryAcquire('team'), s.tryAcquire('team')];
    const w = waits(s, ['team', 'other']);
    await tick();
    // A global slot is free, but only for keys under their share.
    assert.deepEqual(w.order, ['other#1']);
    assert.equal(s.heldBy('team'), 2);
    team[0]?.();
    await tick();
    assert.deepEqual(w.order, ['other#1', 'team#0']);
    assert.equal(s.heldBy('team'), 2);
  });

  it("a full queue is one key's alone while nobody else waits; then the key with the most waiting gives up its newest", async () => {
    const s = new Slots({ max: 1, perPrincipal: 1, maxQueued: 4 });
    assert.ok(s.tryAcquire('team'));
    const team = waits(s, ['team', 'team', 'team', 'team']);
    assert.equal(await s.acquire('team'), 'queue-full');
    const other = waits(s, ['other']);
    assert.equal(await team.results[3], 'evicted');
    assert.equal(s.queued, 4);
    // Two each now: neither may push the other out.
    const second = waits(s, ['other']);
    assert.equal(await team.results[2], 'evicted');
    assert.equal(await s.acquire('other'), 'queue-full');
    assert.equal(await s.acquire('team'), 'queue-full');
    assert.equal(s.queued, 4);
    void other;
    void second;
  });

  it("no key can evict another key's single waiter, however often it arrives and leaves; a waiter is refused or granted once", async () => {
    const s = new Slots({ max: 1, perPrincipal: 1, maxQueued: 2 });
    const held = s.tryAcquire('busy');
    assert.ok(held);
    const victim = waits(s, ['victim']);
    const outcomes: Array<Release | Refusal> = [];
    for (let round = 0; round < 50; round++) {
      const gone = new AbortController();
      const attacker = s.acquire('attacker', gone.signal);
      // The queue is full now (victim + attacker); a third key cannot push either out: each has one waiting.
      assert.equal(await s.acquire('third'), 'queue-full');
      gone.abort();
      outcomes.push(await attacker);
    }
    assert.ok(outcomes.every((o) => o === 'aborted'));
    assert.equal(s.queued, 1, 'the victim still waits');
    held();
    const got = await victim.results[0];
    assert.equal(typeof got, 'function', 'and gets the slot');
    (got as Release)();
    (got as Release)();
    assert.equal(s.inUse, 0, 'a release called twice gives back once');
    assert.equal(s.queued, 0);
  });
});
