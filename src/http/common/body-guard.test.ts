// The unverified-body budget's accounting and the watchdog's idle and minimum-rate decisions, on a fake clock and a
// fake request whose socket byte count the test moves (the guard only ever reads bytesRead, readableLength, complete).
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { BodyGuard, type BodyLimits, type Stall, stallMessage } from './body-guard.ts';

const LIMITS: BodyLimits = {
  unverifiedBodies: 2,
  unverifiedBodyBytes: 1_000,
  unverifiedBodiesPerClient: 0,
  idleMs: 1_000,
  minRate: 1_024,
  rateWindowMs: 1_000,
};

describe('BodyGuard budget', () => {
  it('counts bodies and bytes, refuses past either bound, and takes a place again once one is given back', () => {
    const g = new BodyGuard(LIMITS, false);
    const a = g.tryReserve(100);
    const b = g.tryReserve(100);
    assert.ok(a && b);
    assert.deepEqual(g.unverifiedInUse, { bodies: 2, bytes: 200 });
    assert.equal(g.tryReserve(1), null, 'the count is spent although bytes are left');
    assert.deepEqual(g.unverifiedInUse, { bodies: 2, bytes: 200 }, 'a refusal takes nothing');
    a();
    assert.deepEqual(g.unverifiedInUse, { bodies: 1, bytes: 100 });
    const c = g.tryReserve(900);
    assert.ok(c, 'exactly the byte budget fits');
    assert.deepEqual(g.unverifiedInUse, { bodies: 2, bytes: 1_000 });
    b();
    assert.equal(g.tryReserve(101), null, 'one byte past the byte budget does not');
    c();
    assert.deepEqual(g.unverifiedInUse, { bodies: 0, bytes: 0 });
  });

  it('a release called twice gives back once: the budget never goes below zero or hands out a place twice', () => {
    const g = new BodyGuard(LIMITS, false);
    const a = g.tryReserve(300);
    const b = g.tryReserve(300);
    assert.ok(a && b);
    a();
    a();
    assert.deepEqual(g.unverifiedInUse, { bodies: 1, bytes: 300 });
    const c = g.tryReserve(700);
    assert.ok(c);
    assert.equal(g.tryReserve(0), null, 'still two bodies in use after the double release');
    b();
    c();
    c();
    b();
    assert.deepEqual(g.unverifiedInUse, { bodies: 0, bytes: 0 });
  });

  it('refuses a body larger than the whole byte budget even when nothing else is read', () => {
    const g = new BodyGuard(LIMITS, false);
    assert.equal(g.tryReserve(1_001), null);
    assert.deepEqual(g.unverifiedInUse, { bodies: 0, bytes: 0 });
  });
});

describe('BodyGuard per-client share', () => {
  const SHARED: BodyLimits = { ...LIMITS, unverifiedBodies: 8, unverifiedBodyBytes: 8_000, unverifiedBodiesPerClient: 2 };

  it('lets one client past its share only while a share stays free, so another client always finds a place', () => {
    const g = new BodyGuard(SHARED, false);
    const held = Array.from({ length: 6 }, () => g.tryReserve(10, 'stranger'));
    assert.ok(
      held.every((r) => r !== null),
      'past its share of 2 while more than 2 places are free',
    );
    assert.equal(g.tryReserve(10, 'stranger'), null, 'a 7th would leave fewer than one share (2) free');
    const a = g.tryReserve(10, 'caller');
    const b = g.tryReserve(10, 'caller');
    assert.ok(a && b, "another client's share is there for it");
    assert.equal(g.tryReserve(10, 'caller'), null, 'the budget is spent');
    assert.deepEqual(g.unverifiedInUse, { bodies: 8, bytes: 80 });
    held[0]!();
    assert.equal(g.tryReserve(10, 'stranger'), null, 'a place freed with no share left over does not go to the client past its share');
    assert.ok(g.tryReserve(10, 'third'), 'it goes to a client within its share');
  });

  it('shares the bytes the same way: a client past its byte share keeps one byte share free', () => {
    const g = new BodyGuard(SHARED, false);
    // Byte share: 8,000 x 2 / 8 = 2,000.
    const big = g.tryReserve(5_000, 'stranger');
    assert.ok(big, 'past its byte share while 3,000 stay free');
    assert.equal(g.tryReserve(1_001, 'stranger'), null, 'would leave 1,999 free');
    assert.ok(g.tryReserve(1_000, 'stranger'), 'leaves exactly one byte share free');
    assert.ok(g.tryReserve(2_000, 'caller'), 'the byte share is there for another client');
    big();
    assert.deepEqual(g.unverifiedInUse, { bodies: 2, bytes: 3_000 });
  });

  it('keeps no state for a client once its last place is back, and a share of 0 or no address means no share', () => {
    const g = new BodyGuard(SHARED, false);
    const places = Array.from({ length: 6 }, (_, i) => g.tryReserve(1, `client-${i}`)!);
    for (const release of places) release();
    assert.deepEqual(g.unverifiedInUse, { bodies: 0, bytes: 0 });
    const again = Array.from({ length: 6 }, () => g.tryReserve(1, 'client-0'));
    assert.ok(
      again.every((r) => r !== null),
      'a client that gave everything back starts from nothing',
    );
    const unshared = new BodyGuard({ ...SHARED, unverifiedBodiesPerClient: 0 }, false);
    assert.ok(Array.from({ length: 8 }, () => unshared.tryReserve(1, 'one')).every((r) => r !== null));
    const anonymous = new BodyGuard(SHARED, false);
    assert.ok(
      Array.from({ length: 8 }, () => anonymous.tryReserve(1)).every((r) => r !== null),
      'no address: only the budget counts',
    );
  });
});

/** A request as the watchdog sees it: the client's progress is the socket's byte count. */
interface FakeRequest {
  socket: { bytesRead: number } | undefined;
  readableLength: number;
  complete: boolean;
}

function fakeRequest(): FakeRequest {
  return { socket: { bytesRead: 500 }, readableLength: 0, complete: false };
}

describe('BodyGuard watchdog', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setInterval', 'Date'], now: 1_000_000 }));
  afterEach(() => mock.timers.reset());

  /** The guard sweeps every 200 ms with 1 s timeouts; time moves sweep by sweep, with `each` run before every sweep. */
  function advance(ms: number, each: () => void = () => undefined): void {
    for (let t = 0; t < ms; t += 200) {
      each();
      mock.timers.tick(200);
    }
  }

  function watched(limits: Partial<BodyLimits> = {}): { req: FakeRequest; stalls: Stall[]; stop: () => void } {
    const g = new BodyGuard({ ...LIMITS, ...limits }, false);
    const req = fakeRequest();
    const stalls: Stall[] = [];
    const stop = g.watch(req as unknown as IncomingMessage, (why) => stalls.push(why));
    return { req, stalls, stop };
  }

  it('gives up a read that gets no byte for the idle time, not before, and only once', () => {
    const { stalls } = watched({ minRate: 0 });
    advance(800);
    assert.deepEqual(stalls, []);
    advance(400);
    assert.deepEqual(stalls, ['idle']);
    advance(5_000);
    assert.deepEqual(stalls, ['idle'], 'a tripped read is no longer watched');
  });

  it('lets a steady client above the minimum rate read for ever', () => {
    const { req, stalls, stop } = watched();
    // 400 bytes every 200 ms: 2 000 bytes/s, twice the minimum.
    advance(20_000, () => {
      req.socket!.bytesRead += 400;
    });
    assert.deepEqual(stalls, []);
    stop();
  });

  it('cuts a client that sends one byte just before each idle time (scaled: 1 byte every 29 s of a 30 s timeout) by the minimum rate', () => {
    const { req, stalls } = watched();
    let sinceByte = 0;
    advance(3_000, () => {
      sinceByte += 200;
      if (sinceByte >= 800) {
        sinceByte = 0;
        req.socket!.bytesRead += 1;
      }
    });
    assert.deepEqual(stalls, ['slow'], 'never idle for a second, but 1 byte/s is under 1 KiB/s');
  });

  it('judges the rate per window: a client that slows down after a good window is cut within two windows', () => {
    const { req, stalls } = watched({ idleMs: 0 });
    advance(1_000, () => {
      req.socket!.bytesRead += 1_000;
    });
    assert.deepEqual(stalls, []);
    advance(1_000, () => {
      req.socket!.bytesRead += 10;
    });
    advance(400, () => {
      req.socket!.bytesRead += 10;
    });
    assert.deepEqual(stalls, ['slow']);
  });

  it('never counts time berth is the slow side: unread bytes waiting (a slow store) or a body fully received', () => {
    const slowStore = watched();
    slowStore.req.readableLength = 16_384;
    const received = watched();
    received.req.complete = true;
    advance(10_000);
    assert.deepEqual(slowStore.stalls, []);
    assert.deepEqual(received.stalls, []);
    // Once berth has read what was waiting, the client is on the clock again, from then on.
    slowStore.req.readableLength = 0;
    advance(800);
    assert.deepEqual(slowStore.stalls, []);
    advance(400);
    assert.deepEqual(slowStore.stalls, ['idle']);
    received.stop();
  });

  it('stops watching when told, and watches nothing with both timeouts off', () => {
    const stopped = watched();
    stopped.stop();
    stopped.stop();
    const off = watched({ idleMs: 0, minRate: 0 });
    advance(10_000);
    assert.deepEqual(stopped.stalls, []);
    assert.deepEqual(off.stalls, []);
  });

  it('with the idle timeout off, still applies the minimum rate', () => {
    const { stalls } = watched({ idleMs: 0 });
    advance(1_400);
    assert.deepEqual(stalls, ['slow']);
  });

  it('a request whose socket is gone makes no progress: it is given up like a stalled one', () => {
    const { req, stalls } = watched({ minRate: 0 });
    req.socket = undefined;
    advance(1_200);
    assert.deepEqual(stalls, ['idle']);
  });

  it('words each stall with its limit', () => {
    assert.equal(stallMessage('idle', LIMITS), 'request body stalled: no data for 1 s');
    assert.equal(stallMessage('slow', LIMITS), 'request body too slow: under 1024 bytes/s over 1 s');
  });
});
