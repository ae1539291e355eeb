// The pin-set part of the MetadataStore conformance suite: `berth pin sync` replaces one source's pins as a whole
// (added, kept, removed, missing), leaves other sources and hand-made pins alone, and re-queues what it unpins.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Actor, MetadataStore, Pin, PinSetReplacement } from '../../core/index.ts';
import { actor, at, d, HOUR, INDEX, later, manifest, RESPECT_PINS, TAG_ONLY } from './metadata-store.fixtures.ts';
import type { ConformanceSuite } from './metadata-store.kit.conformance.ts';

const syncer: Actor = { principal: 'cluster-key', dialect: 'api' };

function set(source: string, pins: PinSetReplacement['pins'], extra: Partial<PinSetReplacement> = {}): PinSetReplacement {
  return { source, pins, reason: `running (pin set ${source})`, owner: source, expiresAt: null, at, actor: syncer, ...extra };
}

const mine = async (s: MetadataStore, repository: string, source: string | null): Promise<Pin[]> =>
  (await s.listPins({ repository, now: at, limit: 100 })).filter((p) => p.source === source);

export function pinSetCases(suite: ConformanceSuite): void {
  const { kit, isolated } = suite;
  const { repo, put } = kit;
  const s = (): MetadataStore => kit.store();

  it('replaces the pins of one source as a whole: added, kept (expiry renewed), removed; one audit event', async () => {
    const r = repo();
    const [a, b, c] = [manifest(r, 'ps-a', { tag: 'a' }), manifest(r, 'ps-b'), manifest(r, 'ps-c')];
    await put(a, b, c);
    const first = await s().replacePinSet(
      set(
        'prod',
        [
          { repository: r, digest: a.digest },
          { repository: r, digest: b.digest },
        ],
        { expiresAt: later(HOUR) },
      ),
    );
    assert.deepEqual(first, { added: 2, kept: 0, removed: 0, missing: [] });
    const pins = await mine(s(), r, 'prod');
    assert.deepEqual(pins.map((p) => p.digest).sort(), [a.digest, b.digest].sort());
    for (const p of pins) assert.deepEqual([p.owner, p.reason, p.expiresAt, p.createdAt], ['prod', 'running (pin set prod)', later(HOUR), at]);
    const kept = pins.find((p) => p.digest === b.digest)!;

    const second = await s().replacePinSet(
      set(
        'prod',
        [
          { repository: r, digest: b.digest },
          { repository: r, digest: c.digest },
          { repository: r, digest: c.digest },
        ],
        {
          expiresAt: later(3 * HOUR),
          at: later(2 * HOUR),
        },
      ),
    );
    assert.deepEqual(second, { added: 1, kept: 1, removed: 1, missing: [] }, 'a repeated entry counts once');
    const after = await s().listPins({ repository: r, now: later(2 * HOUR), limit: 100 });
    assert.deepEqual(after.map((p) => p.digest).sort(), [b.digest, c.digest].sort());
    const renewed = after.find((p) => p.digest === b.digest)!;
    assert.equal(renewed.id, kept.id, 'a kept pin keeps its id');
    assert.deepEqual(renewed.expiresAt, later(3 * HOUR), 'and gets the new expiry');
    const [event] = await s().listAudit({ limit: 1 });
    assert.deepEqual(
      [event!.action, event!.principal, event!.repository, event!.target, event!.detail],
      ['pin.sync', 'cluster-key', null, 'prod', { added: 1, kept: 1, removed: 1, missing: 0, missingSample: [], expiresAt: later(3 * HOUR).toISOString() }],
    );
    assert.deepEqual(await s().replacePinSet(set('prod', [], { at: later(2 * HOUR) })), { added: 0, kept: 0, removed: 2, missing: [] });
    assert.deepEqual(await mine(s(), r, 'prod'), []);
  });

  it('never touches pins of other sources or pins made by hand; reports entries that are not live', async () => {
    const [r, gone] = [repo(), repo()];
    const [a, trashed, other] = [manifest(r, 'pso-a'), manifest(r, 'pso-trashed', { tag: 't' }), manifest(gone, 'pso-other')];
    await put(a, trashed, other);
    await s().deleteManifest(r, trashed.digest, actor, at, RESPECT_PINS);
    await s().deleteRepository(gone, true, actor, at, RESPECT_PINS);
    const byHand = await s().createPin({ repository: r, digest: a.digest, reason: 'release', owner: 'ops', expiresAt: null, at, actor });
    assert.equal(byHand.kind, 'created');
    await s().replacePinSet(set('staging', [{ repository: r, digest: a.digest }]));
    const entries = [
      { repository: r, digest: a.digest },
      { repository: r, digest: trashed.digest },
      { repository: r, digest: d('pso-never') },
      { repository: gone, digest: other.digest },
      { repository: 'conf/pso-nowhere', digest: a.digest },
    ];
    const out = await s().replacePinSet(set('prod', entries));
    assert.deepEqual(out, { added: 1, kept: 0, removed: 0, missing: entries.slice(1) });
    assert.equal((await s().listAudit({ limit: 1 }))[0]!.detail!.missing, 4);
    assert.deepEqual(await s().replacePinSet(set('prod', [])), { added: 0, kept: 0, removed: 1, missing: [] });
    assert.equal((await mine(s(), r, 'staging')).length, 1, 'the other source keeps its pin');
    assert.equal((await mine(s(), r, null)).length, 1, 'the pin made by hand stays');
    assert.equal((await s().findPin((byHand as { pin: Pin }).pin.id))?.source, null);
  });

  it('a synced pin protects like any pin, and a pin set that lapses stops protecting', async () => {
    const r = repo();
    const m = manifest(r, 'psp-m', { tag: 'v1' });
    await put(m);
    await s().replacePinSet(set('prod', [{ repository: r, digest: m.digest }], { expiresAt: later(HOUR) }));
    const refused = await s().deleteManifest(r, m.digest, actor, later(1), RESPECT_PINS);
    assert.equal(refused.kind, 'pinned');
    assert.equal((refused as { pins: Pin[] }).pins[0]!.source, 'prod');
    assert.equal((await s().deleteManifest(r, m.digest, actor, later(HOUR), RESPECT_PINS)).kind, 'deleted', 'an expired sync pin protects nothing');
  });

  isolated(
    'a sync that removes pins re-queues what they protected (the manifest, through an index its children stay held)',
    async (k) => {
      const st = k.store();
      const r = k.repo();
      const child = manifest(r, 'psq-child');
      const index = manifest(r, 'psq-index', { mediaType: INDEX, children: [child.digest], tag: 'i' });
      const plain = manifest(r, 'psq-plain', { tag: 'p' });
      await k.put(child, index, plain);
      await st.replacePinSet(
        set('prod', [
          { repository: r, digest: index.digest },
          { repository: r, digest: plain.digest },
        ]),
      );
      await st.deleteTag(r, 'i', actor, later(1), TAG_ONLY);
      const [review] = (await st.dueManifests(later(2), 10)).filter((x) => x.digest === index.digest);
      const clock = { at: later(2), releasedBefore: later(2), trashedBefore: at };
      assert.deepEqual(await st.collectManifest(review!, clock, RESPECT_PINS, actor, false), { kind: 'pinned' });
      assert.equal(await k.queued(index.digest, r), undefined, 'kept, and off the queue while the pin lives');
      assert.deepEqual(await st.replacePinSet(set('prod', [{ repository: r, digest: plain.digest }], { at: later(3) })), {
        added: 0,
        kept: 1,
        removed: 1,
        missing: [],
      });
      assert.deepEqual(await k.queued(index.digest, r), later(3), 'the untagged index is reviewed again');
      assert.equal(await k.queued(child.digest, r), undefined, 'the index still holds its child');
      assert.equal(await k.queued(plain.digest, r), undefined, 'the kept pin still holds its image');
    },
    { inspector: true },
  );
}
