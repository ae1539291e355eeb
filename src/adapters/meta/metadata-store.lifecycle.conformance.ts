// The retention part of the MetadataStore conformance suite: policies stored per repository and namespace, the
// push-order image stream in keyset pages (what the engine reads), and the preview's view of what pins protect.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Digest, LifecycleImage, MetadataStore, Pin, RetentionPolicy } from '../../core/index.ts';
import { actor, at, HOUR, INDEX, later, manifest, RESPECT_PINS } from './metadata-store.fixtures.ts';
import type { ConformanceSuite } from './metadata-store.kit.conformance.ts';

const KEEP_THREE: RetentionPolicy = {
  family: 'expire',
  rules: [{ kind: 'expire', priority: 1, tagStatus: 'any', tagPatterns: [], tagPrefixes: [], count: { type: 'imageCountMoreThan', n: 3 } }],
};
const SWR: RetentionPolicy = { family: 'keep', rules: [{ kind: 'tag_rule', n: 2, exceptions: [] }] };

async function allImages(s: MetadataStore, repository: string, limit: number): Promise<LifecycleImage[]> {
  const out: LifecycleImage[] = [];
  for (let i = 0; i < 1000; i++) {
    const last = out.at(-1);
    const page = await s.listLifecycleImages(repository, { after: last ? { pushedAt: last.pushedAt, digest: last.digest } : undefined, limit });
    out.push(...page);
    if (page.length < limit) break;
  }
  return out;
}

export function lifecycleCases(suite: ConformanceSuite): void {
  const { kit } = suite;
  const { repo, put } = kit;
  const s = (): MetadataStore => kit.store();

  it('stores, replaces, lists and deletes policies per repository and per namespace, audited', async () => {
    const r = repo();
    const ns = `${r.replace('/', '-')}-ns`;
    assert.equal(await s().findLifecyclePolicy('repository', r), null);
    await s().putLifecyclePolicy({ scope: 'repository', name: r, policy: KEEP_THREE, actor, at });
    await s().putLifecyclePolicy({ scope: 'repository', name: r, policy: SWR, actor: { principal: 'other', dialect: 'ecr' }, at: later(1) });
    await s().putLifecyclePolicy({ scope: 'namespace', name: ns, policy: KEEP_THREE, actor, at });
    const firstId = (await s().findLifecyclePolicy('repository', r))!.id;
    assert.deepEqual(await s().findLifecyclePolicy('repository', r), {
      id: firstId,
      scope: 'repository',
      name: r,
      policy: SWR,
      updatedAt: later(1),
      updatedBy: 'other',
      evaluatedAt: null,
      wireText: null,
    });
    const [event] = await s().listAudit({ limit: 1, action: 'lifecycle.' });
    assert.deepEqual([event!.action, event!.target, event!.detail], ['lifecycle.put', `namespace:${ns}`, { family: 'expire', rules: 1 }]);
    await s().markLifecycleEvaluated('repository', r, later(HOUR));
    assert.deepEqual((await s().findLifecyclePolicy('repository', r))?.evaluatedAt, later(HOUR));
    const mine = (ps: { scope: string; name: string }[]): string[] => ps.filter((p) => p.name === r || p.name === ns).map((p) => `${p.scope}:${p.name}`);
    assert.deepEqual(mine(await s().listLifecyclePolicies({ limit: 1000 })), [`namespace:${ns}`, `repository:${r}`]);
    assert.deepEqual(mine(await s().listLifecyclePolicies({ limit: 1000, scope: 'repository' })), [`repository:${r}`]);
    const first = await s().listLifecyclePolicies({ limit: 1, after: `namespace\0${ns}` });
    assert.ok(
      first.every((p) => p.scope > 'namespace' || p.name > ns),
      'keyset paging',
    );
    assert.equal(await s().deleteLifecyclePolicy('repository', r, actor, later(2)), true);
    assert.equal(await s().deleteLifecyclePolicy('repository', r, actor, later(2)), false);
    assert.equal(await s().findLifecyclePolicy('repository', r), null);
    const [gone] = await s().listAudit({ limit: 1, repository: r });
    assert.equal(gone!.action, 'lifecycle.delete');
  });

  it('keeps a policy id across replacements, never reuses one, stores the wire text as given and creates only if absent', async () => {
    const r = repo();
    const text = '{ "rules" :[ ] }  ';
    const made = await s().putLifecyclePolicy({ scope: 'repository', name: r, policy: KEEP_THREE, actor, at, wireText: text });
    assert.equal(made.created, true);
    assert.equal((await s().findLifecyclePolicy('repository', r))?.wireText, text);
    const again = await s().putLifecyclePolicy({ scope: 'repository', name: r, policy: SWR, actor, at: later(1), onlyIfAbsent: true });
    assert.deepEqual(again, { id: made.id, created: false });
    assert.deepEqual((await s().findLifecyclePolicy('repository', r))?.policy, KEEP_THREE, 'onlyIfAbsent leaves it alone');
    const replaced = await s().putLifecyclePolicy({ scope: 'repository', name: r, policy: SWR, actor, at: later(2) });
    assert.deepEqual(replaced, { id: made.id, created: false });
    assert.equal((await s().findLifecyclePolicy('repository', r))?.wireText, null, 'a put without text clears it');
    await s().deleteLifecyclePolicy('repository', r, actor, later(3));
    const fresh = await s().putLifecyclePolicy({ scope: 'repository', name: r, policy: SWR, actor, at: later(4) });
    assert.ok(fresh.created && fresh.id > made.id, 'a new policy draws a new id');
  });

  it('stores one preview per repository and bounded removal records, newest first', async () => {
    const r = repo();
    assert.equal(await s().findLifecyclePreview(r), null);
    const entry = { digest: `sha256:${'a'.repeat(64)}` as Digest, tags: ['v1'], pushedAt: later(5), priority: 2 };
    await s().saveLifecyclePreview({ repository: r, policyText: 'one', startedAt: at, expiring: [entry] });
    await s().saveLifecyclePreview({ repository: r, policyText: 'two', startedAt: later(1), expiring: [entry, { ...entry, tags: [] }] });
    const found = await s().findLifecyclePreview(r);
    assert.deepEqual(found, { repository: r, policyText: 'two', startedAt: later(1), expiring: [entry, { ...entry, tags: [] }] });
    assert.equal(await s().deleteLifecyclePreview(r), true);
    assert.equal(await s().deleteLifecyclePreview(r), false);
    const rule = { family: 'keep' as const, rules: [0], templates: ['tag_rule' as const] };
    const base = { repository: r, policyId: 7, at: later(9), digest: entry.digest, verdict: 'untag' as const, rule };
    await s().recordLifecycleRemovals(
      ['a', 'b', 'c'].map((tag) => ({ ...base, tag })),
      100,
    );
    await s().recordLifecycleRemovals(
      [
        { ...base, tag: 'd' },
        { ...base, tag: null, verdict: 'expire' },
      ],
      3,
    );
    const page = await s().listLifecycleRemovals(r, { offset: 0, limit: 10 });
    assert.equal(page.total, 3);
    assert.deepEqual(
      page.records.map((x) => x.tag),
      [null, 'd', 'c'],
    );
    assert.ok(page.records[0]!.id > page.records[1]!.id);
    assert.deepEqual({ ...page.records[1]!, id: 0 }, { ...base, tag: 'd', id: 0 });
    const second = await s().listLifecycleRemovals(r, { offset: 1, limit: 1 });
    assert.deepEqual([second.total, second.records.map((x) => x.tag)], [3, ['d']]);
    assert.deepEqual(await s().listLifecycleRemovals('conf/nowhere', { offset: 0, limit: 5 }), { records: [], total: 0 });
  });

  it('streams images in push order with each tag and its time, in keyset pages, leaving out referrers and index children', async () => {
    const r = repo();
    const child = manifest(r, 'lc-child', { at: later(1) });
    const images = [0, 1, 2, 3, 4].map((i) => manifest(r, `lc-${i}`, { at: later(10 + i), tag: `v${i}` }));
    const same = manifest(r, 'lc-same', { at: later(12) }); // same push time as v2: the digest orders them
    const index = manifest(r, 'lc-index', { mediaType: INDEX, children: [child.digest], at: later(20), tag: 'multi' });
    const sig = manifest(r, 'lc-sig', { subject: images[0]!.digest, at: later(21) });
    await put(child, ...images, same, index, sig);
    await put(manifest(r, 'lc-1', { at: later(30), tag: 'moved' })); // a second tag, later, on v1's image
    await s().recordPulls([{ repository: r, digest: images[3]!.digest, at: later(40) }]);
    const whole = await allImages(s(), r, 1000);
    const paged = await allImages(s(), r, 2);
    assert.deepEqual(paged, whole, 'pages join up exactly');
    const [lo, hi] = [images[2]!.digest, same.digest].sort() as [Digest, Digest];
    const expected = [images[0]!.digest, images[1]!.digest, lo, hi, images[3]!.digest, images[4]!.digest, index.digest];
    assert.deepEqual(
      whole.map((i) => i.digest),
      expected,
    );
    const v1 = whole[1]!;
    assert.deepEqual(v1.tags, [
      { name: 'moved', pushedAt: later(30) },
      { name: 'v1', pushedAt: later(11) },
    ]);
    assert.deepEqual(v1.pushedAt, later(11));
    assert.deepEqual(whole[4]!.lastPulledAt, later(40));
    assert.equal(whole[0]!.lastPulledAt, null);
    await s().deleteManifest(r, images[0]!.digest, actor, later(50), RESPECT_PINS);
    assert.equal((await allImages(s(), r, 1000)).length, expected.length - 1, 'trashed images are not streamed');
    assert.deepEqual(await s().listLifecycleImages('conf/nowhere', { limit: 10 }), []);
  });

  it('names what the pin check would refuse: a pinned image, children of a pinned index, subjects of a pinned referrer, recent pulls', async () => {
    const r = repo();
    const [image, child, subject, free, pulled] = ['lp-image', 'lp-child', 'lp-subject', 'lp-free', 'lp-pulled'].map((n) => manifest(r, n, { tag: n }));
    const index = manifest(r, 'lp-index', { mediaType: INDEX, children: [child!.digest], tag: 'idx' });
    const sig = manifest(r, 'lp-sig', { subject: subject!.digest });
    await put(image!, child!, index, subject!, sig, free!, pulled!);
    const pin = async (digest: Digest, expiresAt: Date | null = null): Promise<Pin> => {
      const out = await s().createPin({ repository: r, digest, reason: 'prod', owner: 'o', expiresAt, at, actor });
      return (out as { pin: Pin }).pin;
    };
    const [p1, p2, p3] = [await pin(image!.digest), await pin(index.digest), await pin(sig.digest)];
    await pin(free!.digest, later(1)); // expires before the question
    await s().recordPulls([{ repository: r, digest: pulled!.digest, at: later(HOUR) }]);
    const view = async (pulledSince: Date | null): Promise<Record<string, string[]>> =>
      Object.fromEntries(
        (await s().lifecycleProtection(r, later(2 * HOUR), pulledSince)).map((e) => [e.digest, e.pins.map((p) => p.id).sort()] as const).sort(),
      );
    const expected: Record<string, string[]> = {
      [image!.digest]: [p1.id],
      [index.digest]: [p2.id],
      [child!.digest]: [p2.id],
      [sig.digest]: [p3.id],
      [subject!.digest]: [p3.id],
    };
    assert.deepEqual(await view(null), Object.fromEntries(Object.entries(expected).sort()));
    assert.deepEqual(await view(later(30 * 60_000)), Object.fromEntries(Object.entries({ ...expected, [pulled!.digest]: ['auto-pull'] }).sort()));
    assert.ok((await s().pullsRecordedSince()) instanceof Date);
    assert.deepEqual(await s().lifecycleProtection('conf/nowhere', at, null), []);
  });
}
