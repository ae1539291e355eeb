// The console browsing part of the MetadataStore conformance suite: case-blind search and keyset paging of names and
// tags, per-page usage (total and unique bytes), manifest facts with sizes and tags, and the pins a delete would honour.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { MetadataStore, PinPolicy } from '../../core/index.ts';
import { actor, at, INDEX, later, manifest, RESPECT_PINS } from './metadata-store.fixtures.ts';
import type { ConformanceSuite } from './metadata-store.kit.conformance.ts';

let counter = 0;
/** A namespace no other case uses (the suite's store is shared). */
const ns = (): string => `cons${++counter}x${process.pid}`;

export function consoleCases(suite: ConformanceSuite): void {
  const { kit } = suite;
  const { link, put } = kit;
  const s = (): MetadataStore => kit.store();

  it('searches repository names ignoring case, by namespace, keyset-paged, live ones only', async () => {
    const space = ns();
    const names = ['web-api', 'web-ui', 'worker', 'db'].map((n) => `${space}/${n}`);
    for (const n of names) await link(n, `${n}-blob`);
    await link(`${space}x/web`, `${space}x-blob`);
    assert.deepEqual(await s().searchRepositoryNames({ namespace: space, limit: 10 }), [...names].sort());
    assert.deepEqual(await s().searchRepositoryNames({ namespace: space, contains: 'WEB-', limit: 10 }), [`${space}/web-api`, `${space}/web-ui`]);
    assert.deepEqual(await s().searchRepositoryNames({ namespace: space, after: `${space}/web-api`, limit: 2 }), [`${space}/web-ui`, `${space}/worker`]);
    assert.deepEqual(await s().searchRepositoryNames({ contains: `${space.toUpperCase()}X/`, limit: 10 }), [`${space}x/web`], 'without namespace: every name');
    assert.deepEqual(await s().searchRepositoryNames({ contains: `${space}_`, limit: 10 }), [], '_ is no wildcard');
    await s().deleteRepository(`${space}/db`, true, actor, later(1), RESPECT_PINS);
    assert.deepEqual(await s().searchRepositoryNames({ namespace: space, contains: 'db', limit: 10 }), []);
  });

  it('usage counts live manifests and tags; total bytes count each blob once, unique bytes leave out shared ones', async () => {
    const space = ns();
    const [one, two] = [`${space}/one`, `${space}/two`];
    const shared = await link(one, `${space}-shared-layer`);
    await link(two, `${space}-shared-layer`);
    const own = await link(one, `${space}-own`);
    const gone = await link(one, `${space}-trashed-only`);
    const [a, b, c] = [
      manifest(one, `${space}-a`, { blobs: [shared, own], tag: 'v1', at: later(10) }),
      manifest(one, `${space}-b`, { blobs: [own], tag: 'v2', at: later(20) }),
      manifest(one, `${space}-c`, { blobs: [gone], at: later(30) }),
    ];
    const t = manifest(two, `${space}-t`, { blobs: [shared], tag: 'v1', at: later(5) });
    await put(a, b, c, t);
    await s().deleteManifest(one, c.digest, actor, later(40), RESPECT_PINS);
    await s().recordPulls([{ repository: one, digest: a.digest, at: later(50) }]);
    const sizes = (label: string): number => `${space}-${label}`.length;
    const own1 = a.body.byteLength + b.body.byteLength;
    const usage = await s().repositoryUsage([two, `${space}/unknown`, one]);
    assert.deepEqual(
      usage.map((u) => u.name),
      [two, one],
      'in the order asked, unknown names left out',
    );
    assert.deepEqual(usage[1], {
      name: one,
      createdAt: at,
      tagCount: 2,
      manifestCount: 2,
      totalBytes: own1 + sizes('shared-layer') + sizes('own'),
      uniqueBytes: own1 + sizes('own'),
      lastPushedAt: later(20),
      lastPulledAt: later(50),
    });
    assert.equal(usage[0]!.uniqueBytes, t.body.byteLength);
    await s().deleteManifest(one, a.digest, actor, later(60), RESPECT_PINS);
    const [twoAfter] = await s().repositoryUsage([two]);
    assert.equal(twoAfter!.uniqueBytes, t.body.byteLength + sizes('shared-layer'), 'no other live manifest uses it now');
  });

  it('searches tags ignoring case and lists manifest digests, tagged, untagged or all; null for unknown repositories', async () => {
    const repo = `${ns()}/tags`;
    const [x, y] = [manifest(repo, 'tags-x', { tag: 'Release-1' }), manifest(repo, 'tags-y')];
    await put(x, y, { ...x, tag: 'alpha' }, { ...x, tag: 'beta' });
    assert.deepEqual(
      (await s().searchTags(repo, { contains: 'rElEaSe', limit: 10 }))!.map((t) => t.tag),
      ['Release-1'],
    );
    assert.deepEqual(
      (await s().searchTags(repo, { after: 'Release-1', limit: 1 }))!.map((t) => t.tag),
      ['alpha'],
    );
    assert.equal(await s().searchTags(`${repo}-none`, { limit: 10 }), null);
    assert.deepEqual(await s().listManifestDigests(repo, { tagged: false, limit: 10 }), [y.digest]);
    assert.deepEqual(await s().listManifestDigests(repo, { tagged: true, limit: 10 }), [x.digest]);
    assert.deepEqual(await s().listManifestDigests(repo, { limit: 10 }), [x.digest, y.digest].sort());
    const first = [x.digest, y.digest].sort()[0]!;
    assert.deepEqual(await s().listManifestDigests(repo, { after: first, limit: 10 }), [x.digest, y.digest].sort().slice(1));
    assert.equal(await s().listManifestDigests(`${repo}-none`, { limit: 10 }), null);
  });

  it('manifest facts: an index weighs itself, its children and their blobs (each once), with its tags', async () => {
    const space = ns();
    const repo = `${space}/multi`;
    const [base, amdLayer, armLayer] = [await link(repo, `${space}-base`), await link(repo, `${space}-amd`), await link(repo, `${space}-arm64`)];
    const amd = manifest(repo, `${space}-amd`, { blobs: [base, amdLayer] });
    const arm = manifest(repo, `${space}-arm`, { blobs: [base, armLayer] });
    const index = manifest(repo, `${space}-index`, { mediaType: INDEX, children: [amd.digest, arm.digest], tag: 'latest' });
    await put(amd, arm, index, { ...index, tag: 'stable' });
    const facts = await s().manifestFacts(repo, [index.digest, amd.digest, `sha256:${'0'.repeat(64)}`]);
    assert.deepEqual(
      facts.map((f) => [f.digest, f.tags, f.size]),
      [
        [
          index.digest,
          ['latest', 'stable'],
          index.body.byteLength + amd.body.byteLength + arm.body.byteLength + `${space}-base`.length + `${space}-amd`.length + `${space}-arm64`.length,
        ],
        [amd.digest, [], amd.body.byteLength + `${space}-base`.length + `${space}-amd`.length],
      ],
    );
    assert.deepEqual(Buffer.from(facts[0]!.body), Buffer.from(index.body));
    assert.equal(facts[0]!.manifestSize, index.body.byteLength);
  });

  it('pins protecting a manifest: its own, an index above it, a referrer below it; expired ones never; recent pulls when asked', async () => {
    const repo = `${ns()}/pinned`;
    const child = manifest(repo, 'pp-child');
    const lone = manifest(repo, 'pp-lone');
    const index = manifest(repo, 'pp-index', { mediaType: INDEX, children: [child.digest], tag: 'v1' });
    const sig = manifest(repo, 'pp-sig', { subject: index.digest, artifactType: 'application/vnd.example.sig' });
    await put(child, lone, index, sig);
    const pin = async (digest: typeof child.digest, owner: string, expiresAt: Date | null = null) => {
      const made = await s().createPin({ repository: repo, digest, reason: `${owner} runs it`, owner, expiresAt, at, actor });
      assert.equal(made.kind, 'created');
      return made.kind === 'created' ? made.pin : assert.fail();
    };
    const onIndex = await pin(index.digest, 'deploy');
    const onSig = await pin(sig.digest, 'security');
    await pin(lone.digest, 'expired', later(1));
    const now = later(1000);
    const found = await s().pinsProtecting(repo, [child.digest, index.digest, sig.digest, lone.digest], RESPECT_PINS, now);
    const ids = (d: string) => (found.get(d as typeof child.digest) ?? []).map((p) => p.id).sort();
    assert.deepEqual(ids(child.digest), [onIndex.id]);
    assert.deepEqual(ids(index.digest), [onIndex.id, onSig.id].sort());
    assert.deepEqual(ids(sig.digest), [onSig.id]);
    assert.deepEqual(ids(lone.digest), [], 'an expired pin protects nothing');
    assert.deepEqual(
      found.get(index.digest)!.find((p) => p.id === onSig.id),
      { ...onSig, repository: repo },
    );

    await s().recordPulls([{ repository: repo, digest: lone.digest, at: later(900) }]);
    const recent: PinPolicy = { breakPins: false, pulledSince: later(500) };
    const auto = (await s().pinsProtecting(repo, [lone.digest], recent, now)).get(lone.digest) ?? [];
    assert.deepEqual(
      auto.map((p) => [p.id, p.digest]),
      [['auto-pull', lone.digest]],
    );
    const refused = await s().deleteManifest(repo, lone.digest, actor, now, recent);
    assert.equal(refused.kind, 'pinned', 'the delete agrees');
  });
}
