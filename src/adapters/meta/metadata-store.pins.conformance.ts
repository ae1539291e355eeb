// The pins part of the MetadataStore conformance suite: deployment references that every delete path checks inside
// its own transaction (directly, through an index above, through a referrer that would cascade), the override that
// breaks them on the record, automatic pins from recent pulls, and expiry.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Digest, MetadataStore, Pin, PinPolicy } from '../../core/index.ts';
import { actor, at, BREAK_PINS, DROP_UNTAGGED, d, HOUR, INDEX, later, manifest, RESPECT_PINS, TAG_ONLY } from './metadata-store.fixtures.ts';
import type { ConformanceKit, ConformanceSuite } from './metadata-store.kit.conformance.ts';

async function pin(s: MetadataStore, repository: string, digest: string, extra: { expiresAt?: Date | null; at?: Date; reason?: string } = {}): Promise<Pin> {
  const out = await s.createPin({
    repository,
    digest: digest as Pin['digest'],
    reason: extra.reason ?? 'prod deployment',
    owner: 'team-a',
    expiresAt: extra.expiresAt ?? null,
    at: extra.at ?? at,
    actor,
  });
  assert.equal(out.kind, 'created');
  return (out as { pin: Pin }).pin;
}

export function pinCases(suite: ConformanceSuite): void {
  const { kit, isolated } = suite;
  const { repo, put, byDigest, lastAuditId } = kit;
  const s = (): MetadataStore => kit.store();

  it('pins only a live manifest of a live repository, audited', async () => {
    const r = repo();
    const m = manifest(r, 'p-live', { tag: 'v1' });
    const gone = manifest(r, 'p-gone', { tag: 'v2' });
    await put(m, gone);
    await s().deleteManifest(r, gone.digest, actor, at, RESPECT_PINS);
    const base = { reason: 'x', owner: 'o', expiresAt: null, at, actor };
    assert.deepEqual(await s().createPin({ ...base, repository: 'conf/nowhere', digest: m.digest }), { kind: 'unknown-repository' });
    assert.deepEqual(await s().createPin({ ...base, repository: r, digest: d('never-pushed') }), { kind: 'unknown-manifest' });
    assert.deepEqual(await s().createPin({ ...base, repository: r, digest: gone.digest }), { kind: 'unknown-manifest' }, 'a trashed manifest cannot be pinned');
    const p = await pin(s(), r, m.digest, { expiresAt: later(HOUR), at: later(1) });
    assert.match(p.id, /^pin-[a-z0-9]{16}$/);
    assert.deepEqual(p, {
      id: p.id,
      repository: r,
      digest: m.digest,
      reason: 'prod deployment',
      owner: 'team-a',
      createdAt: later(1),
      expiresAt: later(HOUR),
      source: null,
    });
    const [event] = await s().listAudit({ limit: 1 });
    assert.deepEqual(
      [event!.action, event!.repository, event!.target, event!.detail],
      ['pin.create', r, m.digest, { pin: p.id, reason: 'prod deployment', owner: 'team-a', expiresAt: later(HOUR).toISOString() }],
    );
  });

  it('lists unexpired pins by id (all, or one repository), pages them, finds and deletes them', async () => {
    const [r, other] = [repo(), repo()];
    const [m, o] = [manifest(r, 'pl-m'), manifest(other, 'pl-o')];
    await put(m, o);
    const pins = [await pin(s(), r, m.digest), await pin(s(), r, m.digest, { expiresAt: later(HOUR) }), await pin(s(), other, o.digest)];
    const ids = (ps: Pin[]): string[] => ps.map((p) => p.id);
    const mine = ids(pins.slice(0, 2)).sort();
    assert.deepEqual(ids(await s().listPins({ repository: r, now: at, limit: 10 })), mine);
    assert.deepEqual(ids(await s().listPins({ repository: r, now: later(HOUR), limit: 10 })), [pins[0]!.id], 'expired (at its expiry) is not listed');
    assert.deepEqual(await s().findPin(pins[1]!.id), pins[1], 'but still found until GC removes it');
    const everyone = ids(await s().listPins({ now: at, limit: 1000 }));
    for (const p of pins) assert.ok(everyone.includes(p.id));
    assert.deepEqual(everyone, [...everyone].sort());
    assert.deepEqual(ids(await s().listPins({ repository: r, now: at, limit: 1 })), [mine[0]]);
    assert.deepEqual(ids(await s().listPins({ repository: r, now: at, after: mine[0], limit: 5 })), [mine[1]]);
    assert.deepEqual(await s().listPins({ repository: r, now: at, limit: 0 }), []);
    assert.deepEqual(await s().listPins({ repository: 'conf/nowhere', now: at, limit: 5 }), []);
    assert.deepEqual(await s().deletePin(pins[0]!.id, { principal: 'dave', dialect: 'cli' }, later(5)), pins[0]);
    const [event] = await s().listAudit({ limit: 1 });
    assert.deepEqual(
      [event!.action, event!.principal, event!.repository, event!.target, event!.detail],
      ['pin.delete', 'dave', r, m.digest, { pin: pins[0]!.id }],
    );
    assert.equal(await s().deletePin(pins[0]!.id, actor, later(6)), null);
    assert.equal(await s().findPin(pins[0]!.id), null);
    assert.equal(await s().findPin('pin-aaaaaaaaaaaaaaaa'), null);
  });

  it('refuses to delete a pinned manifest, a child of a pinned index and the subject of a pinned referrer, changing nothing', async () => {
    const r = repo();
    const [image, child, subject] = [manifest(r, 'pd-image', { tag: 'img' }), manifest(r, 'pd-child'), manifest(r, 'pd-subject', { tag: 'subj' })];
    const index = manifest(r, 'pd-index', { mediaType: INDEX, children: [child.digest], tag: 'idx' });
    const sig = manifest(r, 'pd-sig', { subject: subject.digest });
    await put(image, child, index, subject, sig);
    const [pImage, pIndex, pSig] = [await pin(s(), r, image.digest), await pin(s(), r, index.digest), await pin(s(), r, sig.digest)];
    const audited = await lastAuditId();
    assert.deepEqual(await s().deleteManifest(r, image.digest, actor, later(1), RESPECT_PINS), { kind: 'pinned', pins: [pImage] });
    assert.deepEqual(await s().deleteManifest(r, child.digest, actor, later(1), RESPECT_PINS), { kind: 'pinned', pins: [pIndex] });
    assert.deepEqual(await s().deleteManifest(r, index.digest, actor, later(1), RESPECT_PINS), { kind: 'pinned', pins: [pIndex] });
    assert.deepEqual(
      await s().deleteManifest(r, subject.digest, actor, later(1), RESPECT_PINS),
      { kind: 'pinned', pins: [pSig] },
      'the referrer would cascade',
    );
    assert.deepEqual(await s().deleteManifest(r, sig.digest, actor, later(1), RESPECT_PINS), { kind: 'pinned', pins: [pSig] });
    assert.equal(await lastAuditId(), audited, 'refusals audit nothing');
    for (const m of [image, child, index, subject, sig]) assert.ok(await byDigest(r, m), 'nothing went');
    assert.deepEqual(await s().listTags(r, { limit: 10 }), ['idx', 'img', 'subj']);
  });

  it('a pin protects until its expiry, not at it; every live pin of a manifest is named, alone or under an index', async () => {
    const r = repo();
    const [alone, child] = [manifest(r, 'px-alone', { tag: 'a' }), manifest(r, 'px-child')];
    await put(alone, child, manifest(r, 'px-index', { mediaType: INDEX, children: [child.digest], tag: 'i' }));
    const expiring = await pin(s(), r, alone.digest, { expiresAt: later(HOUR) });
    const [two, three] = [await pin(s(), r, alone.digest, { reason: 'second' }), await pin(s(), r, child.digest, { expiresAt: later(HOUR) })];
    const named = async (digest: Digest, at: Date): Promise<string[]> => {
      const out = await s().deleteManifest(r, digest, actor, at, RESPECT_PINS);
      return out.kind === 'pinned' ? out.pins.map((p) => p.id).sort() : [];
    };
    assert.deepEqual(await named(alone.digest, later(HOUR - 1)), [expiring.id, two.id].sort(), 'both, one a millisecond before its expiry');
    assert.deepEqual(await named(alone.digest, later(HOUR)), [two.id], 'at its expiry a pin protects no more');
    assert.deepEqual(await named(child.digest, later(HOUR - 1)), [three.id], 'a child under an unpinned index: its own pin');
    assert.equal((await s().deleteManifest(r, child.digest, actor, later(HOUR), RESPECT_PINS)).kind, 'deleted', 'its pin expired');
  });

  it('breaks pins only on request: they are removed, returned and named in the audit event', async () => {
    const r = repo();
    const [subject, child] = [manifest(r, 'pb-subject', { tag: 'v1' }), manifest(r, 'pb-child')];
    const sig = manifest(r, 'pb-sig', { subject: subject.digest });
    await put(subject, sig, child, manifest(r, 'pb-index', { mediaType: INDEX, children: [child.digest] }));
    const [pSig, pSubject] = [await pin(s(), r, sig.digest, { reason: 'signature' }), await pin(s(), r, subject.digest)];
    const out = await s().deleteManifest(r, subject.digest, actor, later(2), BREAK_PINS);
    assert.equal(out.kind, 'deleted');
    if (out.kind !== 'deleted') return;
    assert.deepEqual(out.manifests, [subject.digest, sig.digest]);
    assert.deepEqual(new Set(out.brokenPins.map((p) => p.id)), new Set([pSig.id, pSubject.id]));
    assert.equal(out.brokenPins.length, 2);
    for (const p of [pSig, pSubject]) assert.equal(await s().findPin(p.id), null, 'a broken pin is gone');
    const [event] = await s().listAudit({ limit: 1 });
    const summary = (p: Pin): Record<string, string> => ({ id: p.id, digest: p.digest, owner: p.owner, reason: p.reason });
    assert.equal(event!.action, 'manifest.delete');
    const broken = (event!.detail as { brokenPins: Array<Record<string, string>> }).brokenPins;
    assert.deepEqual(new Set(broken.map((b) => JSON.stringify(b))), new Set([pSig, pSubject].map((p) => JSON.stringify(summary(p)))));
    const plain = await s().deleteManifest(r, child.digest, actor, later(3), BREAK_PINS);
    assert.deepEqual(plain.kind === 'deleted' && plain.brokenPins, [], 'nothing pinned: nothing broken');
    assert.equal((await s().listAudit({ limit: 1 }))[0]!.detail!.brokenPins, undefined);
  });

  it('refuses a repository delete (even forced) while a pin lives in it; the override breaks them', async () => {
    const r = repo();
    const m = manifest(r, 'pr', { tag: 'v' });
    await put(m);
    const p = await pin(s(), r, m.digest, { expiresAt: later(HOUR) });
    assert.deepEqual(await s().deleteRepository(r, true, actor, later(1), RESPECT_PINS), { kind: 'pinned', pins: [p] });
    assert.ok(await s().findRepository(r));
    assert.equal((await s().deleteRepository(r, true, actor, later(HOUR), RESPECT_PINS)).kind, 'deleted', 'an expired pin does not count');
    const r2 = repo();
    const m2 = manifest(r2, 'pr2', { tag: 'v' });
    await put(m2);
    const p2 = await pin(s(), r2, m2.digest);
    const old = await s().findRepository(r2);
    assert.deepEqual(await s().deleteRepository(r2, false, actor, later(2), BREAK_PINS), { kind: 'not-empty' }, 'not-empty comes first');
    assert.deepEqual(await s().deleteRepository(r2, true, actor, later(2), BREAK_PINS), { kind: 'deleted', repository: old, brokenPins: [p2] });
    const [event] = await s().listAudit({ limit: 1 });
    assert.deepEqual(event!.detail, { force: true, brokenPins: [{ id: p2.id, digest: m2.digest, owner: 'team-a', reason: 'prod deployment' }] });
    assert.equal(await s().findPin(p2.id), null);
  });

  it('a plain tag delete is allowed on a pinned image; dropping the image with its last tag is refused', async () => {
    const r = repo();
    const m = manifest(r, 'pt', { tag: 'a' });
    await put(m, { ...m, tag: 'b' });
    const p = await pin(s(), r, m.digest);
    assert.equal((await s().deleteTag(r, 'a', actor, later(1), DROP_UNTAGGED)).kind, 'deleted', 'not its last tag: only the tag goes');
    assert.deepEqual(await s().deleteTag(r, 'b', actor, later(2), DROP_UNTAGGED), { kind: 'pinned', pins: [p] });
    assert.deepEqual(await s().listTags(r, { limit: 10 }), ['b'], 'the refused delete kept the tag');
    assert.deepEqual(await s().deleteTag(r, 'b', actor, later(3), TAG_ONLY), { kind: 'deleted', digest: m.digest, manifests: [], brokenPins: [] });
    assert.ok(await byDigest(r, m));
  });

  it('counts a manifest pulled since policy.pulledSince (or an index above it) as pinned: automatic pins', async () => {
    const r = repo();
    const [m, child] = [manifest(r, 'pa', { tag: 'v' }), manifest(r, 'pa-child')];
    const index = manifest(r, 'pa-index', { mediaType: INDEX, children: [child.digest], tag: 'multi' });
    await put(m, child, index);
    await s().recordPulls([
      { repository: r, digest: m.digest, at: later(100) },
      { repository: r, digest: index.digest, at: later(200) },
    ]);
    const recent = (since: number): PinPolicy => ({ breakPins: false, pulledSince: later(since) });
    const out = await s().deleteManifest(r, m.digest, actor, later(300), recent(50));
    assert.equal(out.kind, 'pinned');
    const [auto] = out.kind === 'pinned' ? out.pins : [];
    assert.deepEqual([auto!.id, auto!.repository, auto!.digest, auto!.owner, auto!.createdAt], ['auto-pull', r, m.digest, 'berth', later(100)]);
    assert.deepEqual((await s().deleteManifest(r, child.digest, actor, later(300), recent(150))).kind, 'pinned', 'its index was pulled');
    assert.deepEqual((await s().deleteRepository(r, true, actor, later(300), recent(150))).kind, 'pinned');
    assert.equal((await s().deleteTag(r, 'v', actor, later(300), { policy: recent(100), dropUntagged: true })).kind, 'pinned');
    assert.equal((await s().deleteManifest(r, m.digest, actor, later(300), RESPECT_PINS)).kind, 'deleted', 'off when pulledSince is null');
    const broke = await s().deleteManifest(r, index.digest, actor, later(300), { breakPins: true, pulledSince: later(150) });
    assert.equal(broke.kind, 'deleted');
    assert.deepEqual(broke.kind === 'deleted' && broke.brokenPins.map((p) => [p.id, p.digest]), [['auto-pull', index.digest]]);
  });

  isolated(
    'expirePins removes expired pins only, and what they protected is reviewed again',
    async (k: ConformanceKit) => {
      const st = k.store();
      const r = k.repo();
      const m = manifest(r, 'pe', { tag: 'v' });
      await k.put(m);
      const [short, long] = [await pin(st, r, m.digest, { expiresAt: later(HOUR) }), await pin(st, r, m.digest, { expiresAt: later(3 * HOUR) })];
      await st.deleteTag(r, 'v', actor, later(1), TAG_ONLY);
      assert.deepEqual(await k.queued(m.digest, r), later(1));
      assert.equal(await st.expirePins(later(HOUR - 1), 10), 0);
      assert.equal(await st.expirePins(later(HOUR), 10), 1);
      assert.equal(await st.findPin(short.id), null);
      assert.deepEqual(await st.findPin(long.id), long);
      assert.deepEqual(await k.queued(m.digest, r), later(HOUR), 'still untagged: its review restarts from the expiry');
      assert.deepEqual((await st.deleteManifest(r, m.digest, actor, later(2 * HOUR), RESPECT_PINS)).kind, 'pinned');
      assert.equal((await st.deleteManifest(r, m.digest, actor, later(3 * HOUR), RESPECT_PINS)).kind, 'deleted', 'expired pins never protect, removed or not');
      assert.equal(await st.expirePins(later(4 * HOUR), 1), 1);
      assert.equal(await st.expirePins(later(4 * HOUR), 1), 0);
    },
    { inspector: true },
  );

  isolated(
    'removing a pin re-queues what it protected: the manifest, the children of a pinned index, the subject of a pinned referrer',
    async (k) => {
      const st = k.store();
      const r = k.repo();
      const [child, subject] = [manifest(r, 'pq-child'), manifest(r, 'pq-subject', { tag: 's' })];
      const index = manifest(r, 'pq-index', { mediaType: INDEX, children: [child.digest], tag: 'i' });
      const sig = manifest(r, 'pq-sig', { subject: subject.digest });
      const tagged = manifest(r, 'pq-tagged', { tag: 't' });
      await k.put(child, index, subject, sig, tagged);
      const [pIndex, pSig, pTagged] = [await pin(st, r, index.digest), await pin(st, r, sig.digest), await pin(st, r, tagged.digest)];
      await st.deleteTag(r, 'i', actor, later(1), TAG_ONLY);
      await st.deleteTag(r, 's', actor, later(1), TAG_ONLY);
      const clock = { at: later(2), releasedBefore: later(2), trashedBefore: at };
      for (const digest of [index.digest, subject.digest]) {
        const [review] = (await st.dueManifests(later(2), 10)).filter((x) => x.digest === digest);
        assert.deepEqual(await st.collectManifest(review!, clock, RESPECT_PINS, actor, false), { kind: 'pinned' });
        assert.equal(await k.queued(digest, r), undefined, 'kept, and off the queue while the pin lives');
      }
      await st.deletePin(pTagged.id, actor, later(3));
      assert.equal(await k.queued(tagged.digest, r), undefined, 'still tagged: nothing to review');
      await st.deletePin(pIndex.id, actor, later(4));
      assert.deepEqual(await k.queued(index.digest, r), later(4));
      assert.equal(await k.queued(child.digest, r), undefined, 'the index still holds its child');
      await st.deletePin(pSig.id, actor, later(5));
      assert.deepEqual(await k.queued(subject.digest, r), later(5), 'the subject the referrer pin protected is reviewed again');
      assert.equal(await k.queued(sig.digest, r), undefined, 'the referrer itself goes only with its subject');
    },
    { inspector: true },
  );
}
