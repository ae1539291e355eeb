// One behavioural contract for every MetadataStore adapter (SQLite now, PostgreSQL later): the reference index,
// deletion rules, paging and sessions must behave the same whatever the backend.
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Actor, Digest, MetadataStore, NewManifest } from '../../core/index.ts';

export interface OpenedMetadataStore {
  store: MetadataStore;
  cleanup: () => Promise<void>;
}

const actor: Actor = { principal: 'test', dialect: 'oci' };
const at = new Date('2026-01-01T00:00:00Z');
const d = (s: string): Digest => `sha256:${createHash('sha256').update(s).digest('hex')}`;

function manifest(repository: string, name: string, extra: Partial<NewManifest> = {}): NewManifest {
  const body = new TextEncoder().encode(`{"m":"${name}"}`);
  return {
    repository, digest: d(`m:${name}`), mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: null, subject: null,
    annotations: null, body, blobs: [], children: [], tag: null, at, actor, ...extra,
  };
}

export function runMetadataStoreConformance(name: string, open: () => Promise<OpenedMetadataStore>): void {
  describe(`MetadataStore conformance: ${name}`, () => {
    let opened: OpenedMetadataStore;
    let s: MetadataStore;
    let n = 0;
    const repo = (): string => `conf/r${++n}`;
    const link = async (r: string, blob: string): Promise<Digest> => {
      await s.linkBlob(r, { digest: d(blob), size: blob.length }, actor, at);
      return d(blob);
    };
    before(async () => {
      opened = await open();
      s = opened.store;
    });
    after(async () => {
      await s.close();
      await opened.cleanup();
    });

    it('creates a repository with a crr- id on first blob link, and finds linked blobs only there', async () => {
      const r = repo();
      assert.equal(await s.findRepository(r), null);
      const b = await link(r, 'blob-a');
      const found = await s.findRepository(r);
      assert.match(found!.id, /^crr-[a-z0-9]{16}$/);
      assert.equal(found!.tagMutability, 'MUTABLE');
      assert.deepEqual(await s.findBlob(r, b), { digest: b, size: 6 });
      assert.equal(await s.findBlob(repo(), b), null, 'another repository cannot see it');
    });

    it('mounts a blob only from a repository that holds it', async () => {
      const from = repo();
      const to = repo();
      const b = await link(from, 'blob-mount');
      assert.equal(await s.mountBlob(to, from, b, actor, at), null, 'source does not hold it');
      assert.deepEqual(await s.mountBlob(from, to, b, actor, at), { digest: b, size: 10 });
      assert.ok(await s.findBlob(to, b));
    });

    it('refuses a manifest with missing blobs or children, writing nothing', async () => {
      const r = repo();
      const b = await link(r, 'present');
      const m = manifest(r, 'missing', { blobs: [b, d('absent')], children: [d('m:nochild')], tag: 'x' });
      assert.deepEqual(await s.putManifest(m), { kind: 'missing', blobs: [d('absent')], manifests: [d('m:nochild')] });
      assert.equal(await s.getManifest(r, { digest: m.digest }), null);
      assert.deepEqual(await s.listTags(r, { limit: 10 }), []);
      const fresh = repo();
      assert.equal((await s.putManifest(manifest(fresh, 'x', { blobs: [b] }))).kind, 'missing');
      assert.equal(await s.findRepository(fresh), null, 'a refused push creates no repository');
    });

    it('stores a manifest with its tag, returns exact bytes by tag and digest, keeps re-pushes idempotent', async () => {
      const r = repo();
      const b = await link(r, 'layer');
      const m = manifest(r, 'img', { blobs: [b], tag: 'v1', annotations: { a: 'b' } });
      const out = await s.putManifest(m);
      assert.equal(out.kind, 'stored');
      const byTag = await s.getManifest(r, { tag: 'v1' });
      assert.deepEqual(Buffer.from(byTag!.body), Buffer.from(m.body));
      assert.equal(byTag!.digest, m.digest);
      assert.deepEqual(byTag!.annotations, { a: 'b' });
      assert.equal(byTag!.size, m.body.byteLength);
      assert.deepEqual((await s.getManifest(r, { digest: m.digest }))!.digest, m.digest);
      assert.equal((await s.putManifest({ ...m, tag: 'v2' })).kind, 'stored');
      assert.deepEqual(await s.listTags(r, { limit: 10 }), ['v1', 'v2']);
    });

    it('moves a tag to a new digest', async () => {
      const r = repo();
      await s.putManifest(manifest(r, 'one', { tag: 'latest' }));
      const two = manifest(r, 'two', { tag: 'latest' });
      await s.putManifest(two);
      assert.equal((await s.getManifest(r, { tag: 'latest' }))!.digest, two.digest);
    });

    it('index children must exist in the repository', async () => {
      const r = repo();
      const child = manifest(r, 'child');
      await s.putManifest(child);
      const index = manifest(r, 'index', { mediaType: 'application/vnd.oci.image.index.v1+json', children: [child.digest] });
      assert.equal((await s.putManifest(index)).kind, 'stored');
    });

    it('lists referrers by subject and cascades a subject delete to them (transitively), removing their tags', async () => {
      const r = repo();
      const subject = manifest(r, 'subject', { tag: 'app' });
      await s.putManifest(subject);
      const sig = manifest(r, 'sig', { subject: subject.digest, artifactType: 'application/x.sig', tag: 'sig' });
      const sigOfSig = manifest(r, 'sigsig', { subject: sig.digest });
      const dangling = manifest(r, 'dangling', { subject: d('m:not-pushed-yet') });
      for (const m of [sig, sigOfSig, dangling]) assert.equal((await s.putManifest(m)).kind, 'stored');
      const refs = await s.listReferrers(r, subject.digest);
      assert.deepEqual(refs.map((x) => [x.digest, x.artifactType]), [[sig.digest, 'application/x.sig']]);
      const deleted = await s.deleteManifest(r, subject.digest, actor, at);
      assert.deepEqual(new Set(deleted!.manifests), new Set([subject.digest, sig.digest, sigOfSig.digest]));
      assert.deepEqual(deleted!.tags.sort(), ['app', 'sig']);
      assert.equal(await s.getManifest(r, { digest: sig.digest }), null);
      assert.ok(await s.getManifest(r, { digest: dangling.digest }), 'unrelated manifests stay');
      assert.equal(await s.deleteManifest(r, subject.digest, actor, at), null, 'second delete: unknown');
    });

    it('deletes one tag only; the manifest and other tags stay', async () => {
      const r = repo();
      const m = manifest(r, 'tagged', { tag: 'a' });
      await s.putManifest(m);
      await s.putManifest({ ...m, tag: 'b' });
      assert.equal(await s.deleteTag(r, 'a', actor, at), m.digest);
      assert.equal(await s.deleteTag(r, 'a', actor, at), null);
      assert.deepEqual(await s.listTags(r, { limit: 10 }), ['b']);
      assert.ok(await s.getManifest(r, { digest: m.digest }));
    });

    it('refuses to unlink a blob a manifest uses; unlinks it once the manifest is gone', async () => {
      const r = repo();
      const b = await link(r, 'used');
      const m = manifest(r, 'user', { blobs: [b] });
      await s.putManifest(m);
      assert.deepEqual(await s.unlinkBlob(r, b, actor, at), { kind: 'referenced', by: [m.digest] });
      await s.deleteManifest(r, m.digest, actor, at);
      assert.deepEqual(await s.unlinkBlob(r, b, actor, at), { kind: 'unlinked' });
      assert.deepEqual(await s.unlinkBlob(r, b, actor, at), { kind: 'unknown' });
      assert.equal(await s.findBlob(r, b), null);
    });

    it('deletes a repository in one step: refused when not empty unless forced; the name restarts empty with a new id', async () => {
      const r = repo();
      const b = await link(r, 'repo-blob');
      await s.putManifest(manifest(r, 'r1', { blobs: [b], tag: 't' }));
      const before = await s.findRepository(r);
      assert.deepEqual(await s.deleteRepository(r, false, actor, at), { kind: 'not-empty', manifests: 1 });
      const done = await s.deleteRepository(r, true, actor, at);
      assert.equal(done.kind, 'deleted');
      assert.equal(await s.findRepository(r), null);
      assert.equal(await s.listTags(r, { limit: 10 }), null);
      assert.equal(await s.findBlob(r, b), null);
      assert.ok(!(await s.listRepositories({ limit: 1000 })).includes(r));
      assert.deepEqual(await s.deleteRepository(r, true, actor, at), { kind: 'unknown' });
      await link(r, 'new-blob');
      const again = await s.findRepository(r);
      assert.notEqual(again!.id, before!.id);
      assert.deepEqual(await s.listTags(r, { limit: 10 }), []);
      assert.equal(await s.getManifest(r, { tag: 't' }), null);
      const empty = repo();
      await link(empty, 'x');
      assert.equal((await s.deleteRepository(empty, false, actor, at)).kind, 'deleted', 'an empty repository needs no force');
    });

    it('pages tags and repositories lexically with after/limit, limit 0 gives nothing', async () => {
      const r = repo();
      const m = manifest(r, 'paged');
      for (const t of ['b', 'a', 'C', 'a1', '1']) await s.putManifest({ ...m, tag: t });
      assert.deepEqual(await s.listTags(r, { limit: 100 }), ['1', 'C', 'a', 'a1', 'b']);
      assert.deepEqual(await s.listTags(r, { limit: 2 }), ['1', 'C']);
      assert.deepEqual(await s.listTags(r, { after: 'C', limit: 2 }), ['a', 'a1']);
      assert.deepEqual(await s.listTags(r, { after: 'b', limit: 2 }), []);
      assert.deepEqual(await s.listTags(r, { limit: 0 }), []);
      assert.equal(await s.listTags('conf/never', { limit: 5 }), null);
      const names = await s.listRepositories({ limit: 1000 });
      assert.deepEqual(names, [...names].sort());
      assert.deepEqual(await s.listRepositories({ limit: 0 }), []);
      assert.deepEqual(await s.listRepositories({ after: names[0], limit: 1 }), names.slice(1, 2));
    });

    it('records pulls', async () => {
      const r = repo();
      const m = manifest(r, 'pulled');
      await s.putManifest(m);
      const when = new Date('2026-02-02T00:00:00Z');
      await s.recordPulls([{ repository: r, digest: m.digest, at: when }]);
      assert.equal((await s.getManifest(r, { digest: m.digest }))!.lastPulledAt?.getTime(), when.getTime());
    });

    it('keeps upload sessions with a compare-and-set offset and lists idle ones', async () => {
      const id = randomUUID();
      await s.createUpload({ id, repository: 'conf/up', offset: 0, startedAt: at, updatedAt: at });
      assert.equal(await s.advanceUpload(id, 0, 10, new Date(at.getTime() + 1000)), true);
      assert.equal(await s.advanceUpload(id, 0, 20, at), false, 'stale offset');
      assert.equal((await s.getUpload(id))!.offset, 10);
      assert.ok((await s.listIdleUploads(new Date(at.getTime() + 2000), 100)).some((u) => u.id === id));
      assert.ok(!(await s.listIdleUploads(new Date(at.getTime() + 500), 100)).some((u) => u.id === id));
      await s.deleteUpload(id);
      assert.equal(await s.getUpload(id), null);
    });

    it('stores, lists and deletes access keys', async () => {
      const key = { id: `BK${randomUUID().slice(0, 8).toUpperCase()}`, name: 'k', secretHash: 'h', sealedSecret: 's', grants: [{ repositories: 'a/*', actions: ['pull' as const] }], createdAt: at, lastUsedAt: null };
      await s.createAccessKey(key);
      assert.deepEqual(await s.findAccessKey(key.id), key);
      assert.ok((await s.listAccessKeys()).some((k) => k.id === key.id));
      assert.equal(await s.deleteAccessKey(key.id), true);
      assert.equal(await s.deleteAccessKey(key.id), false);
      assert.equal(await s.findAccessKey(key.id), null);
    });

    it('audits deletions, newest first, with paging', async () => {
      const r = repo();
      const m = manifest(r, 'audited', { tag: 'gone' });
      await s.putManifest(m);
      await s.deleteTag(r, 'gone', { principal: 'alice', dialect: 'ecr' }, at);
      const [latest] = await s.listAudit({ limit: 1 });
      assert.equal(latest!.action, 'tag.delete');
      assert.equal(latest!.principal, 'alice');
      assert.equal(latest!.dialect, 'ecr');
      assert.equal(latest!.repository, r);
      const older = await s.listAudit({ before: latest!.id, limit: 1 });
      assert.ok(older[0]!.id < latest!.id);
    });
  });
}
