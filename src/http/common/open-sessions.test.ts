// The per-key open-session cap: counting, reservations, closing, idle expiry and the anonymous exemption.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OpenSessions } from './open-sessions.ts';
import { ANONYMOUS_PRINCIPAL } from './slots.ts';

function opened(s: OpenSessions, principal: string, id: string): void {
  const settle = s.tryReserve(principal, 'repo');
  assert.ok(settle, `reserve for ${id}`);
  settle(id);
}

describe('OpenSessions', () => {
  it('refuses a principal at the cap while another principal still opens sessions', () => {
    const s = new OpenSessions(2, 60_000);
    opened(s, 'team', 'a');
    opened(s, 'team', 'b');
    assert.equal(s.tryReserve('team', 'repo'), null);
    opened(s, 'other', 'c');
    assert.equal(s.openBy('team'), 2);
  });

  it('gives the place back when a session is closed or a reservation fails', () => {
    const s = new OpenSessions(1, 60_000);
    opened(s, 'k', 'a');
    s.close('a');
    const settle = s.tryReserve('k', 'repo');
    assert.ok(settle);
    assert.equal(s.tryReserve('k', 'repo'), null, 'a pending reservation counts');
    settle(null);
    settle('late');
    assert.equal(s.openBy('k'), 0, 'settling twice does nothing');
  });

  it('forgets sessions idle past the timeout, and activity keeps them counted', () => {
    let now = 0;
    const s = new OpenSessions(2, 1_000, () => now);
    opened(s, 'k', 'a');
    opened(s, 'k', 'b');
    now = 900;
    s.touch('a');
    now = 1_500;
    assert.equal(s.openBy('k'), 1);
    assert.ok(s.tryReserve('k', 'repo'));
  });

  it('rechecks against the store: sessions it no longer has stop counting', async () => {
    const s = new OpenSessions(2, 60_000);
    opened(s, 'k', 'a');
    opened(s, 'k', 'b');
    opened(s, 'other', 'c');
    assert.equal(s.tryReserve('k', 'repo'), null);
    const asked: string[] = [];
    await s.recheck('k', async (repository, id) => {
      asked.push(`${repository}/${id}`);
      return id === 'b';
    });
    assert.deepEqual(asked.sort(), ['repo/a', 'repo/b']);
    assert.equal(s.openBy('k'), 1);
    assert.equal(s.openBy('other'), 1);
  });

  it('does not limit anonymous callers or a cap of 0', () => {
    const anon = new OpenSessions(1, 60_000);
    for (let i = 0; i < 5; i++) opened(anon, ANONYMOUS_PRINCIPAL, `a${i}`);
    const unlimited = new OpenSessions(0, 60_000);
    for (let i = 0; i < 5; i++) opened(unlimited, 'k', `u${i}`);
    assert.equal(unlimited.openBy('k'), 0);
  });
});
