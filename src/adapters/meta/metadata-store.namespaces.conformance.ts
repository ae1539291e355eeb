// The namespace and browsing part of the MetadataStore conformance suite: explicit and implied namespaces, the
// not-empty refusal, and the per-repository counts, sizes and times the cloud listings show.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { MetadataStore } from '../../core/index.ts';
import { actor, at, DROP_UNTAGGED, d, later, manifest, RESPECT_PINS, TAG_ONLY } from './metadata-store.fixtures.ts';
import type { ConformanceSuite } from './metadata-store.kit.conformance.ts';

let counter = 0;
/** A namespace name no other case uses (the suite's store is shared). */
const ns = (): string => `nsc${++counter}x${process.pid}`;

export function namespaceCases(suite: ConformanceSuite): void {
  const { kit } = suite;
  const { link, put } = kit;
  const s = (): MetadataStore => kit.store();

  it('an explicit namespace is created once, listed, found, and deleted; a second create says it exists', async () => {
    const name = ns();
    const created = await s().createNamespace({ name, settings: { bucket: 'b1' }, actor, at });
    assert.equal(created.kind, 'created');
    assert.deepEqual(created.namespace, { name, createdAt: at, explicit: true, repositoryCount: 0, settings: { bucket: 'b1' } });
    const again = await s().createNamespace({ name, settings: { bucket: 'other' }, actor, at: later(1) });
    assert.equal(again.kind, 'exists');
    assert.deepEqual(again.namespace.settings, { bucket: 'b1' }, 'the first settings stay');
    assert.deepEqual(await s().findNamespace(name), created.namespace);
    assert.ok((await s().listNamespaces({ limit: 1000 })).some((n) => n.name === name));
    assert.equal(await s().deleteNamespace(name, actor, later(2)), 'deleted');
    assert.equal(await s().findNamespace(name), null);
    assert.equal(await s().deleteNamespace(name, actor, later(3)), 'unknown');
  });

  it('a repository implies its namespace; an explicit namespace holding repositories cannot be deleted', async () => {
    const name = ns();
    await link(`${name}/app`, 'implied-a', later(5));
    await link(`${name}/team/tool`, 'implied-b', later(3));
    const implied = await s().findNamespace(name);
    assert.deepEqual(implied, { name, createdAt: later(3), explicit: false, repositoryCount: 2, settings: {} });
    assert.equal(await s().deleteNamespace(name, actor, later(6)), 'not-empty', 'implied and not empty');
    await s().createNamespace({ name, settings: {}, actor, at: later(7) });
    const merged = await s().findNamespace(name);
    assert.equal(merged?.explicit, true);
    assert.equal(merged?.repositoryCount, 2);
    assert.deepEqual(merged?.createdAt, later(3), 'the oldest of the explicit row and its repositories');
    assert.equal(await s().deleteNamespace(name, actor, later(8)), 'not-empty');
    assert.ok(await s().findNamespace(name), 'nothing was deleted');
    await s().deleteRepository(`${name}/app`, true, actor, later(9), RESPECT_PINS);
    await s().deleteRepository(`${name}/team/tool`, true, actor, later(9), RESPECT_PINS);
    assert.equal(await s().deleteNamespace(name, actor, later(10)), 'deleted', 'empty once its repositories are deleted');
  });

  it('single-segment repositories belong to no namespace; namespaces list in order, filtered and paged', async () => {
    const base = ns();
    await link(base, 'solo', at);
    assert.equal(await s().findNamespace(base), null, 'a single-segment repository is no namespace');
    assert.equal(await s().findNamespace(''), null);
    const names = [`${base}a`, `${base}b`, `${base}c`];
    for (const n of names) await s().createNamespace({ name: n, settings: {}, actor, at });
    await link(`${base}b/x`, 'in-b', at);
    const listed = await s().listNamespaces({ nameContains: base, limit: 1000 });
    assert.deepEqual(
      listed.map((n) => [n.name, n.repositoryCount]),
      [
        [`${base}a`, 0],
        [`${base}b`, 1],
        [`${base}c`, 0],
      ],
    );
    const page = await s().listNamespaces({ nameContains: base, after: `${base}a`, limit: 1 });
    assert.deepEqual(
      page.map((n) => n.name),
      [`${base}b`],
    );
    assert.deepEqual(await s().listNamespaces({ nameContains: `${base}_`, limit: 10 }), [], 'wildcards in the filter are literal');
  });

  it('repository summaries count live manifests, tags and linked bytes, with the newest change as updatedAt', async () => {
    const name = ns();
    const r = `${name}/app`;
    await s().linkBlob(r, { digest: d('layer-1'), size: 1000 }, actor, at);
    await s().linkBlob(r, { digest: d('layer-2'), size: 24 }, actor, at);
    const one = manifest(r, 'sum-1', { tag: 'v1', blobs: [d('layer-1')], at: later(10) });
    const two = manifest(r, 'sum-2', { tag: 'v2', blobs: [d('layer-2')], at: later(20) });
    await put(one, two, { ...two, tag: 'latest', at: later(30) });
    const summary = await s().repositorySummary(r);
    assert.ok(summary);
    assert.equal(summary.name, r);
    assert.match(summary.id, /^crr-/);
    assert.equal(summary.manifestCount, 2);
    assert.equal(summary.tagCount, 3);
    assert.equal(summary.blobBytes, 1024);
    assert.deepEqual(summary.updatedAt, later(30));
    assert.equal(summary.lastPulledAt, null);
    await s().deleteTag(r, 'v1', actor, later(40), DROP_UNTAGGED);
    const after = await s().repositorySummary(r);
    assert.equal(after?.manifestCount, 1, 'a deleted (trashed) manifest is not counted');
    assert.equal(after?.tagCount, 2);
    assert.deepEqual(after?.updatedAt, later(40), 'a delete is a change: the time moves forward, never back');
    await s().deleteTag(r, 'latest', actor, later(50), DROP_UNTAGGED);
    assert.deepEqual((await s().repositorySummary(r))?.updatedAt, later(50), 'removing a tag (the image stays) is a change too');
    assert.equal(await s().repositorySummary(`${name}/none`), null);
    assert.deepEqual(await s().findRepositoryById(summary.id), {
      id: summary.id,
      name: r,
      artifactKind: summary.artifactKind,
      tagMutability: 'MUTABLE',
      createdAt: summary.createdAt,
    });
    await s().deleteRepository(r, true, actor, later(50), RESPECT_PINS);
    assert.equal(await s().findRepositoryById(summary.id), null, 'a deleted repository is not found by its id');
  });

  it('reads the summaries of several repositories at once, each as repositorySummary gives it', async () => {
    const name = ns();
    const [a, b, gone] = [`${name}/a`, `${name}/b`, `${name}/gone`];
    for (const r of [a, b, gone]) await s().linkBlob(r, { digest: d(`many-${r}`), size: r.length }, actor, at);
    await put(manifest(a, 'many-a', { tag: 'v1', blobs: [d(`many-${a}`)], at: later(10) }));
    await s().deleteRepository(gone, true, actor, later(20), RESPECT_PINS);
    const many = await s().repositorySummaries([b, a, `${name}/none`, gone, a]);
    assert.deepEqual([...many.keys()].sort(), [a, b], 'live ones only, each once');
    assert.deepEqual(many.get(a), await s().repositorySummary(a));
    assert.deepEqual(many.get(b), await s().repositorySummary(b));
    assert.equal(many.get(a)?.tagCount, 1);
    assert.equal((await s().repositorySummaries([])).size, 0);
  });

  it('lists repository summaries by namespace and name filter, in order and paged', async () => {
    const name = ns();
    for (const r of [`${name}/b`, `${name}/a/deep`, `${name}/c`, `${name}x/a`]) await link(r, `browse-${r}`, at);
    await link(name, `browse-solo-${name}`, at);
    const inNs = await s().listRepositorySummaries({ namespace: name, limit: 100 });
    assert.deepEqual(
      inNs.map((r) => r.name),
      [`${name}/a/deep`, `${name}/b`, `${name}/c`],
      'not the single-segment one, not a longer namespace',
    );
    const paged = await s().listRepositorySummaries({ namespace: name, after: `${name}/a/deep`, limit: 1 });
    assert.deepEqual(
      paged.map((r) => r.name),
      [`${name}/b`],
    );
    const filtered = await s().listRepositorySummaries({ nameContains: `${name}x`, limit: 100 });
    assert.deepEqual(
      filtered.map((r) => r.name),
      [`${name}x/a`],
    );
    const all = await s().listRepositorySummaries({ nameContains: name, limit: 100 });
    assert.deepEqual(
      all.map((r) => r.name),
      [name, `${name}/a/deep`, `${name}/b`, `${name}/c`, `${name}x/a`],
    );
  });

  it('tag details join live manifests only, in order, filtered and paged', async () => {
    const r = `${ns()}/tags`;
    const m1 = manifest(r, 'td-1', { tag: 'v1', at: later(1) });
    const m2 = manifest(r, 'td-2', { tag: 'v2', artifactType: 'application/x-test', at: later(2) });
    await put(m1, m2, { ...m1, tag: 'v1.1', at: later(3) });
    const tags = await s().listTagDetails(r, { limit: 10 });
    assert.deepEqual(
      tags?.map((t) => [t.tag, t.digest, t.manifestSize]),
      [
        ['v1', m1.digest, m1.body.byteLength],
        ['v1.1', m1.digest, m1.body.byteLength],
        ['v2', m2.digest, m2.body.byteLength],
      ],
    );
    const v11 = await s().findTagDetail(r, 'v1.1');
    assert.deepEqual(v11, {
      tag: 'v1.1',
      digest: m1.digest,
      mediaType: m1.mediaType,
      artifactType: null,
      manifestSize: m1.body.byteLength,
      taggedAt: later(3),
      pushedAt: later(1),
      lastPulledAt: null,
    });
    assert.equal((await s().findTagDetail(r, 'v2'))?.artifactType, 'application/x-test');
    assert.deepEqual(
      (await s().listTagDetails(r, { after: 'v1', limit: 1 }))?.map((t) => t.tag),
      ['v1.1'],
    );
    assert.deepEqual(
      (await s().listTagDetails(r, { nameContains: '.', limit: 10 }))?.map((t) => t.tag),
      ['v1.1'],
    );
    await put({ ...m1, tag: 'Release-1', at: later(3) }, { ...m1, tag: 'release-2', at: later(3) });
    assert.deepEqual(
      (await s().listTagDetails(r, { nameContains: 'release', limit: 10 }))?.map((t) => t.tag),
      ['release-2'],
      'the filter is case-sensitive',
    );
    for (const t of ['Release-1', 'release-2']) await s().deleteTag(r, t, actor, later(3), TAG_ONLY);
    await s().deleteManifest(r, m2.digest, actor, later(4), RESPECT_PINS);
    assert.equal(await s().findTagDetail(r, 'v2'), null, 'the tag of a deleted manifest is gone');
    assert.equal(await s().findTagDetail(r, 'nope'), null);
    assert.equal(await s().listTagDetails(`${r}-unknown`, { limit: 10 }), null);
    assert.equal(await s().findTagDetail(`${r}-unknown`, 'v1'), null);
  });
}
