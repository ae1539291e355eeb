// The repository-administration part of the MetadataStore conformance suite: explicit creation with settings and
// resource tags, changes in one call, and the image listings (manifests with their tags) the cloud APIs page through.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Digest, ImageSummary, MetadataStore, NewManifest, RepositoryChange } from '../../core/index.ts';
import { actor, at, DROP_UNTAGGED, d, INDEX, later, manifest, RESPECT_PINS, TAG_ONLY } from './metadata-store.fixtures.ts';
import type { ConformanceSuite } from './metadata-store.kit.conformance.ts';

const SETTINGS = { imageScanningConfiguration: { scanOnPush: true }, encryptionConfiguration: { encryptionType: 'KMS', kmsKey: 'arn:k' } };
/** Kept as given, whitespace and all: the dialect echoes the document the client sent. */
const POLICY = '{\n  "Version": "2012-10-17",\n  "Statement": [ { "Effect": "Deny", "Principal": "*", "Action": "ecr:*" } ]\n}';

const byDigestOrder = (xs: ImageSummary[]): ImageSummary[] => [...xs].sort((a, b) => (a.digest < b.digest ? -1 : 1));
const sortedDigests = (ms: Array<{ digest: Digest }>): Digest[] => ms.map((m) => m.digest).sort();

export function repositoryAdminCases(suite: ConformanceSuite): void {
  const { kit } = suite;
  const { repo, link, put, byDigest, lastAuditId } = kit;
  const s = (): MetadataStore => kit.store();
  const create = (
    name: string,
    extra: { tagMutability?: 'MUTABLE' | 'IMMUTABLE'; settings?: Record<string, unknown>; resourceTags?: Record<string, string>; when?: Date } = {},
  ) =>
    s().createRepository({
      name,
      tagMutability: extra.tagMutability ?? 'MUTABLE',
      settings: extra.settings ?? {},
      resourceTags: extra.resourceTags ?? {},
      at: extra.when ?? at,
      actor,
    });
  const update = (name: string, change: RepositoryChange, when = at) => s().updateRepository(name, change, { principal: 'frank', dialect: 'ecr' }, when);
  /** What getManifest says about `m`, as an image summary with `tags`. */
  const summaryOf = async (r: string, m: NewManifest, tags: string[]): Promise<ImageSummary> => {
    const stored = await byDigest(r, m);
    assert.ok(stored, `${m.digest} is stored`);
    const { body: _body, ...summary } = stored;
    return { ...summary, tags };
  };

  it('creates a repository with mutability, settings and resource tags, audited; a second create says exists and changes nothing', async () => {
    const r = repo();
    const out = await s().createRepository({
      name: r,
      tagMutability: 'IMMUTABLE',
      settings: SETTINGS,
      resourceTags: { team: 'a', env: 'prod' },
      at: later(1),
      actor: { principal: 'gina', dialect: 'ecr' },
    });
    assert.equal(out.kind, 'created');
    assert.match(out.repository.id, /^crr-[a-z0-9]{16}$/);
    assert.deepEqual({ ...out.repository, id: '' }, { id: '', name: r, artifactKind: 'image', tagMutability: 'IMMUTABLE', createdAt: later(1) });
    assert.deepEqual(await s().findRepository(r), out.repository);
    assert.deepEqual(await s().repositoryExtras(r), { settings: SETTINGS, policy: null, resourceTags: { env: 'prod', team: 'a' } });
    const [event] = await s().listAudit({ limit: 1 });
    assert.deepEqual([event!.action, event!.principal, event!.dialect, event!.repository, event!.at], ['repository.create', 'gina', 'ecr', r, later(1)]);
    assert.ok((await s().listRepositories({ after: 'conf/', limit: 10_000 })).includes(r), 'listed like any repository');
    assert.deepEqual(await s().listTags(r, { limit: 10 }), [], 'it exists, empty');
    assert.deepEqual(await s().listImages(r, { tagStatus: 'ANY', limit: 10 }), []);

    const audited = await lastAuditId();
    const again = await create(r, { tagMutability: 'MUTABLE', settings: { other: 1 }, resourceTags: { team: 'b' }, when: later(2) });
    assert.deepEqual(again, { kind: 'exists', repository: out.repository });
    assert.deepEqual(await s().findRepository(r), out.repository);
    assert.deepEqual(
      await s().repositoryExtras(r),
      { settings: SETTINGS, policy: null, resourceTags: { env: 'prod', team: 'a' } },
      'nothing of the second create is kept',
    );
    assert.equal(await lastAuditId(), audited, 'an existing repository is not audited again');
  });

  it('a repository a push created has empty extras and "exists"; after a delete, create starts afresh with a new id and none of the old extras', async () => {
    const r = repo();
    await link(r, 'admin-pushed');
    const pushed = await s().findRepository(r);
    assert.deepEqual(await s().repositoryExtras(r), { settings: {}, policy: null, resourceTags: {} });
    assert.deepEqual(await create(r, { tagMutability: 'IMMUTABLE' }), { kind: 'exists', repository: pushed });
    assert.ok(await update(r, { policy: POLICY, setTags: { old: 'yes' }, settings: { old: true }, tagMutability: 'IMMUTABLE' }));
    assert.equal((await s().deleteRepository(r, true, actor, later(5), RESPECT_PINS)).kind, 'deleted');
    assert.equal(await s().repositoryExtras(r), null);
    assert.equal(await update(r, { tagMutability: 'MUTABLE' }), null, 'a deleted repository cannot be changed');
    const fresh = await create(r, { resourceTags: { new: '1' }, when: later(6) });
    assert.equal(fresh.kind, 'created');
    assert.notEqual(fresh.repository.id, pushed!.id);
    assert.deepEqual([fresh.repository.tagMutability, fresh.repository.createdAt], ['MUTABLE', later(6)]);
    assert.deepEqual(await s().repositoryExtras(r), { settings: {}, policy: null, resourceTags: { new: '1' } });
  });

  it('reads the policies of one or many repositories: only live ones that have one, whatever else is named', async () => {
    const [withPolicy, without, other, deleted] = [repo(), repo(), repo(), repo()];
    for (const r of [withPolicy, without, other, deleted]) await create(r);
    await update(withPolicy, { policy: POLICY });
    await update(other, { policy: '{}' });
    await update(deleted, { policy: POLICY });
    assert.equal((await s().deleteRepository(deleted, true, actor, later(1), RESPECT_PINS)).kind, 'deleted');
    const many = [withPolicy, without, other, deleted, 'conf/nowhere', ...Array.from({ length: 1_500 }, (_, i) => `conf/absent-${i}`)];
    assert.deepEqual(
      await s().repositoryPolicies(many),
      new Map([
        [withPolicy, POLICY],
        [other, '{}'],
      ]),
    );
    assert.deepEqual(await s().repositoryPolicies([without, 'conf/nowhere']), new Map());
    assert.deepEqual(await s().repositoryPolicies([]), new Map());
    for (const r of [withPolicy, without, other, deleted, 'conf/nowhere'])
      assert.equal(await s().repositoryPolicy(r), (await s().repositoryExtras(r))?.policy ?? null, `${r}: one policy, as the extras give it`);
    assert.equal(await s().repositoryPolicy(withPolicy), POLICY);
    await update(withPolicy, { policy: null });
    assert.deepEqual(await s().repositoryPolicies([withPolicy, other]), new Map([[other, '{}']]), 'a removed policy is gone at once');
    assert.equal(await s().repositoryPolicy(withPolicy), null, 'a removed policy is gone at once, cached or not');
  });

  it('reads many repositories with their extras at once: live ones only, each as findRepository and repositoryExtras give it', async () => {
    const [plain, rich, deleted] = [repo(), repo(), repo()];
    for (const r of [plain, rich, deleted]) await create(r);
    await update(rich, { policy: POLICY, settings: { scan: { on: true } }, setTags: { team: 'a', cost: '7' } });
    assert.equal((await s().deleteRepository(deleted, true, actor, later(1), RESPECT_PINS)).kind, 'deleted');
    const many = [plain, rich, deleted, 'conf/nowhere', ...Array.from({ length: 1_500 }, (_, i) => `conf/absent-${i}`)];
    const read = await s().repositoriesWithExtras(many);
    assert.deepEqual([...read.keys()].sort(), [plain, rich].sort());
    for (const r of [plain, rich]) {
      assert.deepEqual(read.get(r), { repository: await s().findRepository(r), extras: await s().repositoryExtras(r) });
    }
    assert.deepEqual(read.get(rich)!.extras, { settings: { scan: { on: true } }, policy: POLICY, resourceTags: { cost: '7', team: 'a' } });
    assert.deepEqual(await s().repositoriesWithExtras([]), new Map());
    assert.deepEqual(await s().repositoriesWithExtras(['conf/nowhere']), new Map());
  });

  it('updates mutability, settings, policy and resource tags, each change alone leaving the rest; unknown repositories give null', async () => {
    const r = repo();
    const created = (await create(r, { settings: SETTINGS, resourceTags: { a: '1', b: '2' } })).repository;
    const extras = () => s().repositoryExtras(r);

    assert.deepEqual(
      await update(r, { tagMutability: 'IMMUTABLE' }, later(1)),
      { ...created, tagMutability: 'IMMUTABLE' },
      'returns the repository after the change',
    );
    assert.deepEqual(await s().findRepository(r), { ...created, tagMutability: 'IMMUTABLE' });
    const [event] = await s().listAudit({ limit: 1 });
    assert.deepEqual([event!.action, event!.principal, event!.repository, event!.at], ['repository.update', 'frank', r, later(1)]);

    await update(r, { policy: POLICY });
    assert.deepEqual(await extras(), { settings: SETTINGS, policy: POLICY, resourceTags: { a: '1', b: '2' } });
    await update(r, { setTags: { b: '20', c: '3' }, removeTags: ['a', 'never-set'] });
    assert.deepEqual(await extras(), { settings: SETTINGS, policy: POLICY, resourceTags: { b: '20', c: '3' } });
    await update(r, { setTags: { d: '4' }, removeTags: ['d'] });
    assert.deepEqual((await extras())!.resourceTags, { b: '20', c: '3' }, 'tags are set, then keys removed');
    await update(r, { settings: { replaced: ['wholly'] } });
    assert.deepEqual(await extras(), { settings: { replaced: ['wholly'] }, policy: POLICY, resourceTags: { b: '20', c: '3' } });
    assert.deepEqual(await update(r, { policy: null }), { ...created, tagMutability: 'IMMUTABLE' });
    assert.deepEqual(await extras(), { settings: { replaced: ['wholly'] }, policy: null, resourceTags: { b: '20', c: '3' } });
    assert.deepEqual(await update(r, {}), { ...created, tagMutability: 'IMMUTABLE' }, 'an empty change changes nothing');

    const all = await update(r, { tagMutability: 'MUTABLE', settings: {}, policy: '{}', setTags: { e: '5' }, removeTags: ['b', 'c'] });
    assert.deepEqual(all, created, 'everything at once');
    assert.deepEqual(await extras(), { settings: {}, policy: '{}', resourceTags: { e: '5' } });

    const audited = await lastAuditId();
    assert.equal(await update('conf/nowhere', { tagMutability: 'IMMUTABLE', setTags: { x: 'y' } }), null);
    assert.equal(await s().findRepository('conf/nowhere'), null, 'an update creates nothing');
    assert.equal(await s().repositoryExtras('conf/nowhere'), null);
    assert.equal(await lastAuditId(), audited, 'nor audits anything');
  });

  it('IMMUTABLE set through updateRepository refuses moving a tag; MUTABLE again allows it', async () => {
    const r = repo();
    const [first, second] = [manifest(r, 'adm-frozen', { tag: 'v1' }), manifest(r, 'adm-thaw', { tag: 'v1' })];
    await put(first);
    await update(r, { tagMutability: 'IMMUTABLE' });
    assert.deepEqual(await s().putManifest(second), { kind: 'tag-immutable', tag: 'v1', current: first.digest });
    await put(first, { ...second, tag: 'v2' });
    await update(r, { tagMutability: 'MUTABLE' });
    await put(second);
    assert.equal((await s().getManifest(r, { tag: 'v1' }))!.digest, second.digest);
  });

  it('*_WITH_EXCLUSION: the filters are stored and read back, the matching tags are the exception; a plain mode drops them', async () => {
    const r = repo();
    const [v1a, v1b, latestA, latestB] = ['wx-v1a', 'wx-v1b', 'wx-la', 'wx-lb'].map((seed, i) => manifest(r, seed, { tag: i < 2 ? 'v1' : 'latest' }));
    const out = await s().createRepository({
      name: r,
      tagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      tagMutabilityExclusions: ['latest', 'dev-*'],
      settings: {},
      resourceTags: {},
      at,
      actor,
    });
    assert.equal(out.kind, 'created');
    assert.deepEqual(out.repository.tagMutabilityExclusions, ['latest', 'dev-*']);
    assert.deepEqual(await s().findRepository(r), out.repository);
    await put(v1a!, latestA!, latestB!);
    assert.equal((await s().getManifest(r, { tag: 'latest' }))!.digest, latestB!.digest, 'an excluded tag moves');
    assert.deepEqual(await s().putManifest(v1b!), { kind: 'tag-immutable', tag: 'v1', current: v1a!.digest });
    const flipped = await update(r, { tagMutability: 'MUTABLE_WITH_EXCLUSION', tagMutabilityExclusions: ['v*'] });
    assert.deepEqual([flipped!.tagMutability, flipped!.tagMutabilityExclusions], ['MUTABLE_WITH_EXCLUSION', ['v*']]);
    assert.deepEqual(await s().findRepository(r), flipped);
    assert.deepEqual(await s().putManifest(v1b!), { kind: 'tag-immutable', tag: 'v1', current: v1a!.digest }, 'now v1 is the exception');
    await put(latestA!);
    const unrelated = await update(r, { setTags: { k: 'v' } });
    assert.deepEqual(unrelated!.tagMutabilityExclusions, ['v*'], 'a change of something else keeps the filters');
    const plain = await update(r, { tagMutability: 'MUTABLE' });
    const { tagMutabilityExclusions: _dropped, ...rest } = flipped!;
    assert.deepEqual(plain, { ...rest, tagMutability: 'MUTABLE' });
    assert.equal('tagMutabilityExclusions' in (await s().findRepository(r))!, false, 'MUTABLE keeps no filters');
    await put(v1b!);
    assert.equal((await s().getManifest(r, { tag: 'v1' }))!.digest, v1b!.digest);
  });

  it('lists live images in digest order with their tags, filtered by tag status; trashed manifests and other repositories are left out', async () => {
    const [r, other] = [repo(), repo()];
    const b = await link(r, 'li-layer');
    const tagged = manifest(r, 'li-tagged', { blobs: [b], tag: 'b', annotations: { k: 'v' }, artifactType: 'application/x.art' });
    const untagged = manifest(r, 'li-untagged');
    const single = manifest(r, 'li-single', { tag: 'x' });
    const gone = manifest(r, 'li-gone', { tag: 'g' });
    const child = manifest(r, 'li-child');
    const index = manifest(r, 'li-index', { mediaType: INDEX, children: [child.digest], tag: 'multi' });
    const sig = manifest(r, 'li-sig', { subject: tagged.digest });
    await put(
      tagged,
      { ...tagged, tag: 'a' },
      { ...tagged, tag: 'C' },
      untagged,
      single,
      gone,
      child,
      index,
      sig,
      manifest(other, 'li-elsewhere', { tag: 'o' }),
    );
    assert.equal((await s().deleteManifest(r, gone.digest, actor, later(1), RESPECT_PINS)).kind, 'deleted');
    await s().recordPulls([{ repository: r, digest: single.digest, at: later(100) }]);

    const expected = byDigestOrder([
      await summaryOf(r, tagged, ['C', 'a', 'b']),
      await summaryOf(r, untagged, []),
      await summaryOf(r, single, ['x']),
      await summaryOf(r, child, []),
      await summaryOf(r, index, ['multi']),
      await summaryOf(r, sig, []),
    ]);
    assert.deepEqual(expected.find((i) => i.digest === single.digest)!.lastPulledAt, later(100));
    assert.deepEqual(expected.find((i) => i.digest === sig.digest)!.subject, tagged.digest);
    const any = await s().listImages(r, { tagStatus: 'ANY', limit: 100 });
    assert.deepEqual(any, expected, 'every live image, tags in byte order');
    assert.deepEqual(
      await s().listImages(r, { tagStatus: 'TAGGED', limit: 100 }),
      expected.filter((i) => i.tags.length > 0),
    );
    assert.deepEqual(
      await s().listImages(r, { tagStatus: 'UNTAGGED', limit: 100 }),
      expected.filter((i) => i.tags.length === 0),
    );

    assert.equal((await s().deleteTag(r, 'x', actor, later(2), TAG_ONLY)).kind, 'deleted');
    assert.deepEqual(
      (await s().listImages(r, { tagStatus: 'UNTAGGED', limit: 100 }))!.map((i) => i.digest),
      sortedDigests([untagged, single, child, sig]),
      'an image whose last tag went (kept without dropUntagged) is untagged',
    );
    assert.equal((await s().deleteTag(r, 'C', actor, later(3), DROP_UNTAGGED)).kind, 'deleted');
    const after = (await s().listImages(r, { tagStatus: 'TAGGED', limit: 100 }))!;
    assert.deepEqual(
      after.map((i) => [i.digest, i.tags]),
      byDigestOrder(after).map((i) => [i.digest, i.tags]),
    );
    assert.deepEqual(after.find((i) => i.digest === tagged.digest)!.tags, ['a', 'b'], 'a deleted tag is not listed');
    assert.ok(!(await s().listImages(r, { tagStatus: 'ANY', limit: 100 }))!.some((i) => i.digest === gone.digest));
  });

  it('pages images by digest with after/limit (alone or with a filter); limit 0 gives []; unknown or deleted repositories give null', async () => {
    const r = repo();
    const ms = Array.from({ length: 7 }, (_, i) => manifest(r, `pg-${i}`, i % 2 === 0 ? { tag: `t${i}` } : {}));
    await put(...ms);
    const all = sortedDigests(ms);
    const pages: Digest[][] = [];
    let after: Digest | undefined;
    for (let i = 0; i < 10; i++) {
      const page = (await s().listImages(r, { tagStatus: 'ANY', after, limit: 3 }))!.map((x) => x.digest);
      pages.push(page);
      if (page.length < 3) break;
      after = page.at(-1);
    }
    assert.deepEqual(pages, [all.slice(0, 3), all.slice(3, 6), all.slice(6)]);
    const taggedAll = sortedDigests(ms.filter((_, i) => i % 2 === 0));
    const firstTagged = (await s().listImages(r, { tagStatus: 'TAGGED', limit: 2 }))!.map((x) => x.digest);
    assert.deepEqual(firstTagged, taggedAll.slice(0, 2));
    assert.deepEqual(
      (await s().listImages(r, { tagStatus: 'TAGGED', after: firstTagged[1], limit: 5 }))!.map((x) => x.digest),
      taggedAll.slice(2),
    );
    const between = `${all[2]!.slice(0, -1)}${all[2]!.endsWith('f') ? 'e' : 'f'}` as Digest;
    const expectedAfterBetween = all.filter((x) => x > between);
    assert.deepEqual(
      (await s().listImages(r, { tagStatus: 'ANY', after: between, limit: 10 }))!.map((x) => x.digest),
      expectedAfterBetween,
      '`after` need not be a digest of the repository',
    );
    assert.equal((await s().deleteManifest(r, all[1]!, actor, later(1), RESPECT_PINS)).kind, 'deleted');
    assert.deepEqual(
      (await s().listImages(r, { tagStatus: 'ANY', after: all[1], limit: 10 }))!.map((x) => x.digest),
      all.slice(2),
      'paging on from a digest trashed meanwhile',
    );
    assert.deepEqual(await s().listImages(r, { tagStatus: 'ANY', after: all.at(-1), limit: 10 }), []);
    assert.deepEqual(await s().listImages(r, { tagStatus: 'ANY', limit: 0 }), []);
    assert.equal(await s().listImages('conf/nowhere', { tagStatus: 'ANY', limit: 10 }), null);
    assert.equal(await s().listImages('conf/nowhere', { tagStatus: 'TAGGED', limit: 0 }), null);
    assert.equal((await s().deleteRepository(r, true, actor, later(2), RESPECT_PINS)).kind, 'deleted');
    assert.equal(await s().listImages(r, { tagStatus: 'ANY', limit: 10 }), null, 'a deleted repository is unknown');
  });

  it('finds the live images among given digests with their tags; missing, trashed, foreign and repeated digests are left out once', async () => {
    const [r, other] = [repo(), repo()];
    const [one, two, gone] = [manifest(r, 'fi-one', { tag: 'v1' }), manifest(r, 'fi-two'), manifest(r, 'fi-gone', { tag: 'g' })];
    const foreign = manifest(other, 'fi-foreign', { tag: 'f' });
    await put(one, { ...one, tag: 'latest' }, two, gone, foreign);
    await s().deleteManifest(r, gone.digest, actor, later(1), RESPECT_PINS);
    const found = await s().findImages(r, [two.digest, d('fi-never'), one.digest, gone.digest, foreign.digest, two.digest]);
    assert.deepEqual(byDigestOrder(found), byDigestOrder([await summaryOf(r, one, ['latest', 'v1']), await summaryOf(r, two, [])]));
    assert.deepEqual(await s().findImages(r, []), []);
    assert.deepEqual(await s().findImages(r, [gone.digest]), []);
    assert.deepEqual(await s().findImages('conf/nowhere', [one.digest]), []);
  });

  it('indexParents names the live indexes that list a manifest, not trashed ones, nor other repositories', async () => {
    const [r, other] = [repo(), repo()];
    const child = manifest(r, 'ip-child');
    const [a, b] = [
      manifest(r, 'ip-a', { mediaType: INDEX, children: [child.digest], tag: 'a' }),
      manifest(r, 'ip-b', { mediaType: INDEX, children: [child.digest] }),
    ];
    await put(child, a, b, manifest(other, 'ip-child'));
    assert.deepEqual(await s().indexParents(r, child.digest), [a.digest, b.digest].sort());
    assert.equal((await s().deleteManifest(r, b.digest, actor, later(1), RESPECT_PINS)).kind, 'deleted');
    assert.deepEqual(await s().indexParents(r, child.digest), [a.digest], 'a trashed index lists nothing');
    assert.deepEqual(await s().indexParents(other, child.digest), []);
    assert.deepEqual(await s().indexParents('conf/nowhere', child.digest), []);
  });
}
