// One behavioural contract for every MetadataStore adapter (SQLite now, PostgreSQL later): the reference index,
// deletion rules, GC review queue, pins, trash, GC steps, paging and sessions must behave the same whatever the backend.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MetadataStore } from '../../core/index.ts';
import { repositoryAdminCases } from './metadata-store.admin.conformance.ts';
import { auditCases } from './metadata-store.audit.conformance.ts';
import { consoleCases } from './metadata-store.console.conformance.ts';
import { deletePreviewCases } from './metadata-store.delete-preview.conformance.ts';
import { actor, at, d, HOUR, IMAGE, INDEX, later, manifest, RESPECT_PINS, TAG_ONLY } from './metadata-store.fixtures.ts';
import { gcBlobCases } from './metadata-store.gc-blobs.conformance.ts';
import { gcHistoryCases } from './metadata-store.gc-history.conformance.ts';
import { gcManifestCases } from './metadata-store.gc-manifests.conformance.ts';
import { kitOf, type MetadataStoreInspector, type OpenedMetadataStore, suiteOf } from './metadata-store.kit.conformance.ts';
import { ledgerCases } from './metadata-store.ledger.conformance.ts';
import { lifecycleCases } from './metadata-store.lifecycle.conformance.ts';
import { namespaceCases } from './metadata-store.namespaces.conformance.ts';
import { pinSetCases } from './metadata-store.pin-sets.conformance.ts';
import { pinCases } from './metadata-store.pins.conformance.ts';
import { queueCases } from './metadata-store.queue.conformance.ts';
import { repositoryCases } from './metadata-store.repositories.conformance.ts';
import { trashCases } from './metadata-store.trash.conformance.ts';
import { uploadAndKeyCases } from './metadata-store.uploads-keys.conformance.ts';

export type { MetadataStoreInspector, OpenedMetadataStore, ReviewEntry } from './metadata-store.kit.conformance.ts';

export function runMetadataStoreConformance(name: string, open: () => Promise<OpenedMetadataStore>): void {
  describe(`MetadataStore conformance: ${name}`, () => {
    let opened: OpenedMetadataStore;
    let s: MetadataStore;
    const kit = kitOf(
      () => s,
      (): MetadataStoreInspector | undefined => opened.inspect,
    );
    const suite = suiteOf(kit, open);
    const { repo, link, put, byDigest, lastAuditId } = kit;
    const { inspected } = suite;

    before(async () => {
      opened = await open();
      s = opened.store;
    });
    after(async () => {
      await s.close();
      await opened.cleanup();
    });

    it('names itself and answers ping', async () => {
      assert.ok(s.kind.length > 0);
      await s.ping();
    });

    it('creates a repository (crr- id, image, MUTABLE) on its first blob link; a blob is visible only where linked', async () => {
      const r = repo();
      assert.equal(await s.findRepository(r), null);
      const b = await link(r, 'blob-a');
      await link(r, 'blob-a', later(5));
      const found = await s.findRepository(r);
      assert.match(found!.id, /^crr-[a-z0-9]{16}$/);
      assert.deepEqual({ ...found, id: '' }, { id: '', name: r, artifactKind: 'image', tagMutability: 'MUTABLE', createdAt: at });
      assert.deepEqual(await s.findBlob(r, b), { digest: b, size: 6 });
      assert.equal(await s.findBlob(r, d('never-linked')), null);
      assert.equal(await s.findBlob(repo(), b), null, 'another repository cannot see it');
    });

    it('mounts a blob only from a live repository that holds it, creating the target', async () => {
      const [from, to] = [repo(), repo()];
      const b = await link(from, 'blob-mount');
      assert.equal(await s.mountBlob('conf/nowhere', to, b, actor, at), null);
      assert.equal(await s.findRepository(to), null, 'a failed mount creates nothing');
      assert.equal(await s.mountBlob(to, from, b, actor, at), null, 'source does not hold it');
      assert.deepEqual(await s.mountBlob(from, to, b, actor, at), { digest: b, size: 10 });
      assert.deepEqual(await s.mountBlob(from, to, b, actor, at), { digest: b, size: 10 }, 'mounting twice is harmless');
      assert.ok(await s.findRepository(to));
      assert.ok(await s.findBlob(to, b));
    });

    it('unlinks a blob unless a manifest of the repository uses it', async () => {
      const [r, other] = [repo(), repo()];
      const b = await link(r, 'used');
      await link(other, 'used');
      const users = [manifest(r, 'user-1', { blobs: [b] }), manifest(r, 'user-2', { blobs: [b] })];
      await put(...users);
      assert.deepEqual(await s.unlinkBlob(r, b, actor, at), { kind: 'referenced', by: users.map((m) => m.digest).sort() });
      assert.equal((await s.deleteManifest(r, users[0]!.digest, actor, at, RESPECT_PINS)).kind, 'deleted');
      assert.deepEqual(await s.unlinkBlob(r, b, actor, at), { kind: 'referenced', by: [users[1]!.digest] }, 'a trashed user does not count');
      assert.equal((await s.deleteManifest(r, users[1]!.digest, actor, at, RESPECT_PINS)).kind, 'deleted');
      const audited = await lastAuditId();
      assert.deepEqual(await s.unlinkBlob(r, b, actor, later(1)), { kind: 'unlinked' }, 'only trashed manifests use it: they give way');
      const [event] = await s.listAudit({ limit: 1 });
      assert.ok(event!.id > audited);
      assert.deepEqual([event!.action, event!.target, event!.detail], ['blob.delete', b, { purgedManifests: users.map((m) => m.digest).sort() }]);
      for (const m of users) assert.deepEqual(await s.restore(r, { digest: m.digest }, at, actor, later(2)), { kind: 'unknown' }, 'purged for good');
      assert.deepEqual(await s.unlinkBlob(r, b, actor, at), { kind: 'unknown' });
      assert.deepEqual(await s.unlinkBlob('conf/nowhere', b, actor, at), { kind: 'unknown' });
      assert.equal(await s.findBlob(r, b), null);
      assert.ok(await s.findBlob(other, b), 'other repositories keep their link');
    });

    it('refuses a manifest with missing blobs or children (unlinked here, even if linked elsewhere) and writes nothing', async () => {
      const [r, elsewhere] = [repo(), repo()];
      const b = await link(r, 'present');
      const foreign = await link(elsewhere, 'foreign-blob');
      const foreignChild = manifest(elsewhere, 'foreign-child');
      await put(foreignChild);
      const audited = await lastAuditId();
      const m = manifest(r, 'missing', { blobs: [b, d('absent'), foreign, d('absent')], children: [foreignChild.digest], tag: 'x' });
      assert.deepEqual(await s.putManifest(m), { kind: 'missing', blobs: [d('absent'), foreign], manifests: [foreignChild.digest] });
      assert.equal(await byDigest(r, m), null);
      assert.deepEqual(await s.listTags(r, { limit: 10 }), []);
      const fresh = repo();
      assert.equal((await s.putManifest(manifest(fresh, 'x', { blobs: [b] }))).kind, 'missing');
      assert.equal(await s.findRepository(fresh), null, 'a refused push creates no repository');
      assert.equal(await lastAuditId(), audited, 'and no audit event');
    });

    it('stores a manifest with its tag; exact bytes by tag and digest; a re-push keeps pushedAt and adds tags', async () => {
      const r = repo();
      const b = await link(r, 'layer');
      const m = manifest(r, 'img', { blobs: [b], tag: 'v1', annotations: { a: 'b' }, artifactType: 'application/x.test' });
      const out = await s.putManifest(m);
      assert.deepEqual(out, { kind: 'stored', repository: await s.findRepository(r) });
      const byTag = await s.getManifest(r, { tag: 'v1' });
      assert.deepEqual(
        { ...byTag!, body: Buffer.from(byTag!.body) },
        {
          digest: m.digest,
          mediaType: IMAGE,
          artifactType: 'application/x.test',
          subject: null,
          annotations: { a: 'b' },
          size: m.body.byteLength,
          pushedAt: at,
          lastPulledAt: null,
          body: Buffer.from(m.body),
        },
      );
      assert.deepEqual(await byDigest(r, m), byTag);
      await put({ ...m, tag: 'v2', at: later(HOUR) }, { ...m, tag: null, at: later(2 * HOUR) });
      assert.deepEqual(await s.listTags(r, { limit: 10 }), ['v1', 'v2']);
      assert.deepEqual((await s.getManifest(r, { tag: 'v2' }))!.pushedAt, at, 're-push keeps the first push time');
      assert.equal(await s.getManifest(r, { tag: 'v3' }), null);
      assert.equal(await byDigest('conf/nowhere', m), null);
    });

    it('marks a repository as a Helm chart repository once a manifest with the Helm config media type is stored', async () => {
      const r = repo();
      await put(manifest(r, 'plain', { tag: 'img' }));
      assert.equal((await s.findRepository(r))!.artifactKind, 'image');
      const out = await s.putManifest(manifest(r, 'chart', { tag: 'chart', artifactType: 'application/vnd.cncf.helm.config.v1+json' }));
      assert.equal(out.kind === 'stored' && out.repository.artifactKind, 'helm-chart');
      const found = (await s.findRepository(r))!;
      assert.equal(found.artifactKind, 'helm-chart');
      assert.equal((await s.findRepositoryById(found.id))!.artifactKind, 'helm-chart');
    });

    it('moves a tag to a new digest; the old manifest stays by digest', async () => {
      const r = repo();
      const [one, two] = [manifest(r, 'one', { tag: 'latest' }), manifest(r, 'two', { tag: 'latest' })];
      await put(one, two);
      assert.equal((await s.getManifest(r, { tag: 'latest' }))!.digest, two.digest);
      assert.ok(await byDigest(r, one));
      assert.deepEqual(await s.listTags(r, { limit: 10 }), ['latest']);
    });

    inspected('refuses to move an immutable tag, writing nothing; same digest, new tags and untagged pushes pass', async () => {
      const r = repo();
      const first = manifest(r, 'frozen', { tag: 'v1' });
      await put(first);
      await opened.inspect!.setTagMutability(r, 'IMMUTABLE');
      assert.equal((await s.findRepository(r))!.tagMutability, 'IMMUTABLE');
      await put(first);
      const second = manifest(r, 'thaw', { tag: 'v1' });
      assert.deepEqual(await s.putManifest(second), { kind: 'tag-immutable', tag: 'v1', current: first.digest });
      assert.equal(await byDigest(r, second), null, 'the refused manifest is not stored');
      await put({ ...second, tag: 'v2' }, manifest(r, 'untagged'));
      assert.equal((await s.getManifest(r, { tag: 'v1' }))!.digest, first.digest);
    });

    it('stores an index whose children are manifests of the repository', async () => {
      const r = repo();
      const child = manifest(r, 'child');
      await put(child, manifest(r, 'index', { mediaType: INDEX, children: [child.digest, child.digest], tag: 'multi' }));
      assert.equal((await s.getManifest(r, { tag: 'multi' }))!.mediaType, INDEX);
    });

    it('lists referrers of a subject in digest order, accepting a subject not pushed yet', async () => {
      const [r, other] = [repo(), repo()];
      const subject = manifest(r, 'subject');
      const refs = ['sig-a', 'sig-b', 'sig-c'].map((x) =>
        manifest(r, x, { subject: subject.digest, artifactType: `application/x.${x}`, annotations: { k: x } }),
      );
      await put(...refs, manifest(other, 'sig-a', { subject: subject.digest }));
      const listed = await s.listReferrers(r, subject.digest);
      assert.deepEqual(
        listed.map((x) => x.digest),
        refs.map((x) => x.digest).sort(),
      );
      const a = listed.find((x) => x.digest === refs[0]!.digest)!;
      assert.deepEqual([a.artifactType, a.annotations, a.subject, 'body' in a], ['application/x.sig-a', { k: 'sig-a' }, subject.digest, false]);
      await put(subject);
      assert.equal((await s.listReferrers(r, subject.digest)).length, 3);
      assert.deepEqual(await s.listReferrers(r, d('no-referrers')), []);
      assert.deepEqual(await s.listReferrers('conf/nowhere', subject.digest), []);
    });

    it('deletes a manifest with its tags, cascading to referrers (transitively), one audit event', async () => {
      const r = repo();
      const subject = manifest(r, 'subject', { tag: 'app' });
      const sig = manifest(r, 'sig', { subject: subject.digest, tag: 'sig' });
      const sigOfSig = manifest(r, 'sigsig', { subject: sig.digest });
      const unrelated = manifest(r, 'dangling', { subject: d('not-pushed-yet'), tag: 'keep' });
      await put(subject, sig, sigOfSig, unrelated);
      const deleted = await s.deleteManifest(r, subject.digest, { principal: 'bob', dialect: 'ecr' }, later(7), RESPECT_PINS);
      assert.equal(deleted.kind, 'deleted');
      if (deleted.kind !== 'deleted') return;
      assert.equal(deleted.manifests[0], subject.digest, 'the manifest asked for comes first');
      assert.deepEqual(new Set(deleted.manifests), new Set([subject.digest, sig.digest, sigOfSig.digest]));
      assert.equal(deleted.manifests.length, 3);
      assert.deepEqual([...deleted.tags].sort(), ['app', 'sig']);
      assert.deepEqual(deleted.brokenPins, []);
      const [event] = await s.listAudit({ limit: 1 });
      assert.deepEqual(
        [event!.action, event!.principal, event!.dialect, event!.repository, event!.target, event!.at],
        ['manifest.delete', 'bob', 'ecr', r, subject.digest, later(7)],
      );
      assert.deepEqual(event!.detail, { manifests: deleted.manifests, tags: deleted.tags });
      for (const m of [subject, sig, sigOfSig]) assert.equal(await byDigest(r, m), null);
      assert.ok(await byDigest(r, unrelated));
      assert.deepEqual(await s.listTags(r, { limit: 10 }), ['keep']);
      assert.deepEqual(await s.listReferrers(r, subject.digest), []);
      assert.deepEqual(await s.deleteManifest(r, subject.digest, actor, at, RESPECT_PINS), { kind: 'unknown' }, 'second delete: unknown');
      assert.deepEqual(await s.deleteManifest('conf/nowhere', unrelated.digest, actor, at, RESPECT_PINS), { kind: 'unknown' });
    });

    it('deletes one tag only, returning its digest; unknown tags and repositories are unknown', async () => {
      const r = repo();
      const m = manifest(r, 'tagged', { tag: 'a' });
      await put(m, { ...m, tag: 'b' });
      assert.deepEqual(await s.deleteTag(r, 'a', actor, at, TAG_ONLY), { kind: 'deleted', digest: m.digest, manifests: [], brokenPins: [] });
      assert.deepEqual(await s.deleteTag(r, 'a', actor, at, TAG_ONLY), { kind: 'unknown' });
      assert.deepEqual(await s.deleteTag('conf/nowhere', 'b', actor, at, TAG_ONLY), { kind: 'unknown' });
      assert.deepEqual(await s.listTags(r, { limit: 10 }), ['b']);
      assert.ok(await byDigest(r, m));
      assert.deepEqual(await s.deleteTag(r, 'b', actor, at, TAG_ONLY), { kind: 'deleted', digest: m.digest, manifests: [], brokenPins: [] });
      assert.ok(await byDigest(r, m), 'without dropUntagged the manifest stays, even untagged');
    });

    it('with dropUntagged (ECR) deletes the image with its last tag, cascading like a manifest delete; not while another tag or an index holds it', async () => {
      const r = repo();
      const m = manifest(r, 'ecr-image', { tag: 'a' });
      const sig = manifest(r, 'ecr-sig', { subject: m.digest });
      const child = manifest(r, 'ecr-child', { tag: 'c' });
      await put(m, { ...m, tag: 'b' }, sig, child, manifest(r, 'ecr-index', { mediaType: INDEX, children: [child.digest] }));
      const drop = { policy: RESPECT_PINS, dropUntagged: true };
      assert.deepEqual(await s.deleteTag(r, 'a', actor, at, drop), { kind: 'deleted', digest: m.digest, manifests: [], brokenPins: [] });
      assert.ok(await byDigest(r, m), 'tag b still holds it');
      assert.deepEqual(await s.deleteTag(r, 'c', actor, at, drop), { kind: 'deleted', digest: child.digest, manifests: [], brokenPins: [] });
      assert.ok(await byDigest(r, child), 'an index holds it');
      assert.deepEqual(await s.deleteTag(r, 'b', actor, later(3), drop), {
        kind: 'deleted',
        digest: m.digest,
        manifests: [m.digest, sig.digest],
        brokenPins: [],
      });
      assert.equal(await byDigest(r, m), null);
      assert.equal(await byDigest(r, sig), null, 'its referrers went with it');
      const [event] = await s.listAudit({ limit: 1 });
      assert.deepEqual([event!.action, event!.target, event!.detail], ['manifest.delete', m.digest, { manifests: [m.digest, sig.digest], tags: ['b'] }]);
    });

    it('pages tags byte-wise with after/limit; limit 0 gives []; an unknown repository gives null', async () => {
      const r = repo();
      const m = manifest(r, 'paged');
      await put(...['b', 'a', 'C', 'a1', '1', 'a-b'].map((tag) => ({ ...m, tag })));
      assert.deepEqual(await s.listTags(r, { limit: 100 }), ['1', 'C', 'a', 'a-b', 'a1', 'b']);
      assert.deepEqual(await s.listTags(r, { limit: 2 }), ['1', 'C']);
      assert.deepEqual(await s.listTags(r, { after: 'C', limit: 2 }), ['a', 'a-b']);
      assert.deepEqual(await s.listTags(r, { after: 'B', limit: 1 }), ['C'], '`after` need not be a tag');
      assert.deepEqual(await s.listTags(r, { after: 'b', limit: 2 }), []);
      assert.deepEqual(await s.listTags(r, { limit: 0 }), []);
      assert.equal(await s.listTags('conf/never', { limit: 5 }), null);
      assert.equal(await s.listTags('conf/never', { limit: 0 }), null);
    });

    it('records pulls in batches; a later time wins, an earlier one never rewinds, unknown entries are ignored', async () => {
      const r = repo();
      const [m1, m2] = [manifest(r, 'pulled-1'), manifest(r, 'pulled-2')];
      await put(m1, m2);
      assert.equal((await byDigest(r, m1))!.lastPulledAt, null);
      await s.recordPulls([
        { repository: r, digest: m1.digest, at: later(2000) },
        { repository: r, digest: m2.digest, at: later(1000) },
        { repository: 'conf/nowhere', digest: m1.digest, at: later(1000) },
        { repository: r, digest: d('nope'), at: later(1000) },
      ]);
      await s.recordPulls([{ repository: r, digest: m1.digest, at: later(1500) }]);
      await s.recordPulls([]);
      assert.deepEqual((await byDigest(r, m1))!.lastPulledAt, later(2000));
      assert.deepEqual((await byDigest(r, m2))!.lastPulledAt, later(1000));
    });

    it('audits deletes, repository deletes, manifest puts and key changes (not links or mounts), newest first', async () => {
      const r = repo();
      const start = await lastAuditId();
      const b = await link(r, 'audited-blob');
      await s.mountBlob(r, repo(), b, actor, at);
      assert.equal(await lastAuditId(), start, 'links and mounts are not audited');
      const m = manifest(r, 'audited', { tag: 'gone' });
      await put(m);
      await s.deleteTag(r, 'gone', { principal: 'alice', dialect: 'ecr' }, later(1), TAG_ONLY);
      await s.unlinkBlob(r, b, actor, later(2));
      const events = (await s.listAudit({ limit: 100 })).filter((e) => e.id > start);
      assert.deepEqual(
        events.map((e) => [e.action, e.repository, e.target]),
        [
          ['blob.delete', r, b],
          ['tag.delete', r, 'gone'],
          ['manifest.put', r, m.digest],
        ],
      );
      assert.deepEqual([events[1]!.principal, events[1]!.dialect, events[1]!.at, events[1]!.detail], ['alice', 'ecr', later(1), { digest: m.digest }]);
      const older = await s.listAudit({ before: events[0]!.id, limit: 2 });
      assert.deepEqual(
        older.map((e) => e.id),
        events.slice(1, 3).map((e) => e.id),
      );
      assert.deepEqual(await s.listAudit({ limit: 0 }), []);
      assert.deepEqual(await s.listAudit({ before: 1, limit: 5 }), []);
    });

    describe('repository listing and deletion', () => repositoryCases(suite));
    describe('audit filters', () => auditCases(suite));
    describe('GC review queue', () => queueCases(suite));
    describe('pins', () => pinCases(suite));
    describe('pin sets', () => pinSetCases(suite));
    describe('retention policies and the push-order stream', () => lifecycleCases(suite));
    describe('trash and restore', () => trashCases(suite));
    describe('GC manifest steps', () => gcManifestCases(suite));
    describe('GC blob steps and inspection', () => gcBlobCases(suite));
    describe('GC pass history', () => gcHistoryCases(suite));
    describe('repository administration', () => repositoryAdminCases(suite));
    describe('namespaces and repository listings', () => namespaceCases(suite));
    describe('console browsing', () => consoleCases(suite));
    describe('delete preview and the manifest trash', () => deletePreviewCases(suite));
    describe('request ledger', () => ledgerCases(suite));
    describe('upload sessions and access keys', () => uploadAndKeyCases(suite));
  });
}
