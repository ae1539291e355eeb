// One access key cannot starve the others: a per-key share of the upload slots, a fair place in the wait queue, and a cap on its open sessions.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { slowPatch, until, uploadsInFlight, uploadsQueued } from './harness.ts';
import { createKey, type Key, type KeyedBerth, keyBasic, startKeyedBerth } from './key-helpers.ts';

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const octets = { 'content-type': 'application/octet-stream' };

async function open(url: string, key: Key, repo: string): Promise<Response> {
  return fetch(`${url}/v2/${repo}/blobs/uploads/`, { method: 'POST', headers: { authorization: keyBasic(key) } });
}

describe('upload fairness between access keys', () => {
  let k: KeyedBerth;
  let team: Key;
  let other: Key;
  before(async () => {
    k = await startKeyedBerth('fair-admin', {
      env: {
        BERTH_UPLOADS_MAX_CONCURRENT: '4',
        BERTH_UPLOADS_MAX_CONCURRENT_PER_KEY: '2',
        BERTH_UPLOADS_MAX_OPEN_SESSIONS_PER_KEY: '5',
        BERTH_UPLOADS_MAX_QUEUED: '2',
      },
    });
    team = await createKey(k.berth, '--name', 'fair-team', '--grant', 'team/*:pull,push');
    other = await createKey(k.berth, '--name', 'fair-other', '--grant', 'other/*:pull,push');
  });
  after(async () => k?.dispose());

  it("a key holding its share of stalled PATCHes leaves slots for another key's push; its excess waits", async () => {
    const url = k.berth.url;
    const locations: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await open(url, team, 'team/app');
      assert.equal(r.status, 202);
      locations.push(r.headers.get('location')!);
    }
    // The key tries to take every global slot; only its share of 2 may stream, the other 2 wait (filling the queue of 2).
    const stalled = locations.slice(0, 4).map((l) => slowPatch(url, l, randomBytes(1024), randomBytes(1024), { authorization: keyBasic(team) }));
    await until('the stalled PATCHes to take their slots and queue', async () => (await uploadsInFlight(url)) >= 2 && (await uploadsQueued(url)) >= 2);
    try {
      // The queue is full and this key has the most waiting: its next upload is refused at once, 429 with Retry-After.
      const excess = await fetch(new URL(locations[4]!, url), {
        method: 'PATCH',
        body: randomBytes(16),
        headers: { ...octets, authorization: keyBasic(team) },
      });
      assert.equal(excess.status, 429, await excess.text());
      assert.equal(excess.headers.get('retry-after'), '1');
      const blob = randomBytes(2048);
      const started = await open(url, other, 'other/app');
      assert.equal(started.status, 202);
      const put = await fetch(new URL(`${started.headers.get('location')!}?digest=${sha(blob)}`, url), {
        method: 'PUT',
        body: blob,
        headers: { ...octets, authorization: keyBasic(other) },
      });
      assert.equal(put.status, 201, await put.text());
      assert.equal(await uploadsInFlight(url), 2);
      assert.equal(await uploadsQueued(url), 2);
    } finally {
      for (const s of stalled) s.finish();
    }
    const statuses = (await Promise.all(stalled.map((s) => s.done))).sort();
    assert.deepEqual(statuses, [202, 202, 202, 202]);
    assert.equal(await uploadsInFlight(url), 0);
  });

  it('refuses a key its session beyond maxOpenSessionsPerKey with 429, while another key still opens sessions', async () => {
    const url = k.berth.url;
    const capped = await createKey(k.berth, '--name', 'fair-capped', '--grant', 'capped/*:pull,push');
    const locations: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await open(url, capped, 'capped/app');
      assert.equal(r.status, 202);
      locations.push(r.headers.get('location')!);
    }
    const refused = await open(url, capped, 'capped/app');
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.equal(((await refused.json()) as { errors: Array<{ code: string }> }).errors[0]?.code, 'TOOMANYREQUESTS');

    const elsewhere = await open(url, other, 'other/app');
    assert.equal(elsewhere.status, 202);

    // Cancelling a session gives the place back.
    const cancelled = await fetch(new URL(locations[0]!, url), { method: 'DELETE', headers: { authorization: keyBasic(capped) } });
    assert.equal(cancelled.status, 204);
    assert.equal((await open(url, capped, 'capped/app')).status, 202);
  });
});
