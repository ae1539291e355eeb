// The upload-session and access-key part of the MetadataStore conformance suite: a session's offset moves only by
// compare-and-set and records exactly the accepted parts; keys are stored, listed and deleted as given.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import type { MetadataStore } from '../../core/index.ts';
import { at, HOUR, later } from './metadata-store.fixtures.ts';
import type { ConformanceSuite } from './metadata-store.kit.conformance.ts';

export function uploadAndKeyCases(suite: ConformanceSuite): void {
  const s = (): MetadataStore => suite.kit.store();

  it('keeps upload sessions with a compare-and-set offset and lists idle ones oldest first', async () => {
    // Ids sort differently from their idle times, so only an order by time passes.
    const [id, older, newest] = [`a-${randomUUID()}`, `c-${randomUUID()}`, `b-${randomUUID()}`];
    assert.equal(await s().getUpload(id), null);
    await s().createUpload({ id, repository: 'conf/up', offset: 0, startedAt: at, updatedAt: at });
    await s().createUpload({ id: older, repository: 'conf/up', offset: 5, startedAt: later(-2000), updatedAt: later(-1000) });
    await s().createUpload({ id: newest, repository: 'conf/up', offset: 0, startedAt: later(1500), updatedAt: later(1500) });
    assert.deepEqual((await s().getUpload(id))?.parts, [], 'a new session has no parts');
    assert.equal(await s().advanceUpload(id, 0, 10, later(1000), 'part-a'), true);
    assert.equal(await s().advanceUpload(id, 0, 20, later(1100), 'part-lost'), false, 'stale offset');
    assert.equal(await s().advanceUpload(randomUUID(), 0, 1, at, 'part-x'), false, 'unknown session');
    const got = await s().getUpload(id);
    assert.deepEqual(
      { ...got, claimed: got?.claimed ?? null },
      {
        id,
        repository: 'conf/up',
        offset: 10,
        startedAt: at,
        updatedAt: later(1000),
        claimed: null,
        parts: [{ offset: 0, size: 10, ref: 'part-a' }],
      },
      'only the part whose compare-and-set won is recorded',
    );
    assert.equal(await s().advanceUpload(id, 10, 10, later(1000), 'empty'), true, 'an empty append moves nothing and records no part');
    assert.equal(await s().advanceUpload(id, 10, 25, later(1000), 'part-b'), true);
    assert.deepEqual((await s().getUpload(id))?.parts, [
      { offset: 0, size: 10, ref: 'part-a' },
      { offset: 10, size: 15, ref: 'part-b' },
    ]);
    assert.deepEqual(
      (await s().listIdleUploads(later(2000), 100)).map((u) => u.id),
      [older, id, newest],
    );
    assert.deepEqual(
      (await s().listIdleUploads(later(500), 100)).map((u) => u.id),
      [older],
      'strictly before',
    );
    assert.deepEqual(
      (await s().listIdleUploads(later(2000), 1)).map((u) => u.id),
      [older],
    );
    assert.deepEqual(await s().listIdleUploads(later(2000), 0), []);
    await s().deleteUpload(id);
    await s().deleteUpload(id);
    assert.equal(await s().getUpload(id), null);
    for (const x of [older, newest]) await s().deleteUpload(x);
  });

  it("tells sessions of dead processes from live ones by their owner's lease, and expires only what is still abandoned", async () => {
    const [live, dead, gone, long] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const session = (owner: string | undefined, idleAt: number) => ({
      id: randomUUID(),
      repository: 'conf/lease',
      offset: 0,
      startedAt: later(idleAt),
      updatedAt: later(idleAt),
      ...(owner ? { owner } : {}),
    });
    await s().renewProcessLease(live, later(0), later(30_000), later(-HOUR));
    await s().renewProcessLease(dead, later(0), later(30_000), later(-HOUR));
    await s().renewProcessLease(live, later(60_000), later(90_000), later(-HOUR));
    // A process with a longer lease than the judge's (10 min, renewed every 100 s): alive between its renewals.
    await s().renewProcessLease(long, later(0), later(600_000), later(-HOUR));
    const [ofLive, ofDead, ofGone, legacy, fresh, ofLong] = [
      session(live, 0),
      session(dead, 0),
      session(gone, 10),
      session(undefined, 0),
      session(dead, 55_000),
      session(long, 0),
    ];
    for (const x of [ofLive, ofDead, ofGone, legacy, fresh, ofLong]) await s().createUpload(x);
    assert.equal((await s().getUpload(ofDead.id))?.owner, dead, 'a session records its owner');
    // At 60 s, judged with a 30 s lease: sessions idle for 30 s whose owner's lease ran out by its own expiry.
    const [idleBefore, now] = [later(30_000), later(60_000)];
    assert.deepEqual(
      (await s().listAbandonedUploads(idleBefore, now, 100)).map((u) => u.id),
      [ofDead.id, ofGone.id],
      'a live owner (by its own lease, however long), no owner at all (older sessions) and a recent touch keep a session',
    );
    assert.deepEqual(
      (await s().listAbandonedUploads(idleBefore, now, 1)).map((u) => u.id),
      [ofDead.id],
    );
    assert.equal(await s().expireAbandonedUpload(ofLong.id, idleBefore, now), false, "a judge's shorter lease does not make a live owner dead");
    assert.equal(await s().adoptUpload(ofDead.id, live, later(20_000)), true, 'another process takes the session over');
    assert.equal((await s().getUpload(ofDead.id))?.owner, live);
    assert.equal(await s().expireAbandonedUpload(ofDead.id, idleBefore, now), false, 'adopted meanwhile: kept');
    assert.equal(await s().expireAbandonedUpload(ofLive.id, idleBefore, now), false);
    assert.equal(await s().expireAbandonedUpload(legacy.id, idleBefore, now), false);
    assert.equal(await s().advanceUpload(ofGone.id, 0, 5, later(10), 'p'), true);
    assert.equal(await s().expireAbandonedUpload(ofGone.id, idleBefore, now), true);
    assert.equal(await s().getUpload(ofGone.id), null);
    assert.equal(await s().expireAbandonedUpload(ofGone.id, idleBefore, now), false, 'once');
    assert.equal(await s().adoptUpload(ofGone.id, live, later(40_000)), false, 'an expired session cannot be adopted');
    await s().endProcessLease(live);
    assert.deepEqual(
      (await s().listAbandonedUploads(later(30_000), later(60_000), 100)).map((u) => u.id).sort(),
      [ofLive.id, ofDead.id].sort(),
      'a lease given up leaves its idle sessions abandoned at once',
    );
    assert.deepEqual(
      (await s().listAbandonedUploads(later(30_000), later(600_001), 100)).map((u) => u.id).sort(),
      [ofLive.id, ofDead.id, ofLong.id].sort(),
      'a long lease runs out too, at the expiry its owner wrote',
    );
    const other = randomUUID();
    await s().renewProcessLease(other, later(2 * HOUR), later(2 * HOUR + 30_000), later(HOUR));
    assert.deepEqual(
      (await s().listAbandonedUploads(later(2 * HOUR), later(-HOUR), 100)).map((u) => u.id).sort(),
      [ofLive.id, ofDead.id, fresh.id, ofLong.id].sort(),
      'renewing forgets leases dead for longer than asked, even when the caller would count them live',
    );
    for (const x of [ofLive, ofDead, legacy, fresh, ofLong]) await s().deleteUpload(x.id);
    await s().endProcessLease(other);
  });

  it('stores, lists and deletes access keys', async () => {
    const key = (i: number, lastUsedAt: Date | null) => ({
      id: `BK${randomUUID().slice(0, 8).toUpperCase()}${i}`,
      name: `k${i}`,
      secretHash: 'h',
      sealedSecret: 's',
      grants: [{ repositories: 'a/*', actions: ['pull' as const, 'push' as const] }],
      createdAt: later(i),
      lastUsedAt,
    });
    const [k1, k2] = [key(1, null), key(2, later(50))];
    assert.equal(await s().findAccessKey(k1.id), null);
    await s().createAccessKey(k1);
    await s().createAccessKey(k2);
    await assert.rejects(s().createAccessKey(k1), 'ids are unique');
    assert.deepEqual([await s().findAccessKey(k1.id), await s().findAccessKey(k2.id)], [k1, k2]);
    assert.deepEqual(
      (await s().listAccessKeys()).filter((k) => k.id === k1.id || k.id === k2.id),
      [k1, k2],
    );
    assert.equal(await s().deleteAccessKey(k1.id), true);
    assert.equal(await s().deleteAccessKey(k1.id), false);
    assert.equal(await s().findAccessKey(k1.id), null);
    assert.deepEqual((await s().listAudit({ limit: 1 }))[0]!.action, 'key.delete');
    const admin = { principal: 'AKIDADMIN', dialect: 'api' as const };
    const k3 = key(3, null);
    await s().createAccessKey(k3, admin);
    const created = (await s().listAudit({ limit: 1 }))[0]!;
    assert.deepEqual(
      [created.action, created.target, created.principal, created.dialect],
      ['key.create', k3.id, 'AKIDADMIN', 'api'],
      'audited as the admin who asked',
    );
    assert.equal(await s().deleteAccessKey(k3.id, admin), true);
    const deleted = (await s().listAudit({ limit: 1 }))[0]!;
    assert.deepEqual([deleted.action, deleted.target, deleted.principal, deleted.dialect], ['key.delete', k3.id, 'AKIDADMIN', 'api']);
  });
}
