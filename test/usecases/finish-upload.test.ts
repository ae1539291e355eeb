// Use-case tests over the real embedded adapters (filesystem + SQLite in a temp dir): crash points inside an
// upload's completion that an HTTP test cannot hit on purpose.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createFsBlobStore } from '../../src/adapters/blob/fs/index.ts';
import { appendChunk, type Digest, finishUpload, type RegistryDeps, startUpload, UploadHashes } from '../../src/core/index.ts';
import { sqliteDeps } from './sqlite-deps.ts';

const actor = { principal: 'test', dialect: 'oci' } as const;

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

async function open(dir: string): Promise<RegistryDeps> {
  return sqliteDeps(dir, await createFsBlobStore({ root: dir, fsync: false }));
}

describe('finishUpload', () => {
  it('completes a retried PUT after a crash between committing the bytes and closing the session', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-finish-'));
    const bytes = Buffer.from('committed before the crash');
    const digest: Digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const first = await open(dir);
    const session = await startUpload(first, 'crash/app');
    const appended = await appendChunk(first, 'crash/app', session.id, { body: once(bytes) });
    // The first PUT got as far as the blob store's commit, then the process died.
    await first.blobs.commitUpload(session.id, bytes.length, digest, appended.parts ?? []);
    await first.meta.close();

    const second = await open(dir);
    assert.equal(await second.meta.findBlob('crash/app', digest), null, 'not linked yet');
    const done = await finishUpload(second, 'crash/app', session.id, digest, null, actor);
    assert.deepEqual(done, { digest, size: bytes.length });
    assert.deepEqual(await second.meta.findBlob('crash/app', digest), { digest, size: bytes.length });
    assert.equal(await second.meta.getUpload(session.id), null, 'the session is closed');
    await second.meta.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('still refuses a wrong digest after a restart (the hash is rebuilt from the durable bytes)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-finish-'));
    const first = await open(dir);
    const session = await startUpload(first, 'crash/app');
    await appendChunk(first, 'crash/app', session.id, { body: once(Buffer.from('abc')) });
    await first.meta.close();
    const second = await open(dir);
    const wrong: Digest = `sha256:${createHash('sha256').update('abd').digest('hex')}`;
    await assert.rejects(finishUpload(second, 'crash/app', session.id, wrong, null, actor), (e: Error & { code?: string }) => e.code === 'DIGEST_INVALID');
    const right: Digest = `sha256:${createHash('sha256').update('abc').digest('hex')}`;
    assert.equal((await finishUpload(second, 'crash/app', session.id, right, null, actor)).size, 3);
    await second.meta.close();
    await rm(dir, { recursive: true, force: true });
  });
});

describe('uploads spread over replicas', () => {
  it('PATCHes alternating between two processes commit the right digest with one re-read at the end, not one per PATCH', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-replicas-'));
    const a = await open(dir);
    // A second "replica": the same stores, its own in-memory hash states.
    const b: RegistryDeps = { ...a, hashes: new UploadHashes(a.blobs) };
    let rereads = 0;
    const counting = {
      ...a.blobs,
      readUpload: (...args: Parameters<typeof a.blobs.readUpload>) => {
        rereads++;
        return a.blobs.readUpload(...args);
      },
    };
    const c: RegistryDeps = { ...a, blobs: counting, hashes: new UploadHashes(counting) };
    const chunks = Array.from({ length: 6 }, (_, i) => Buffer.alloc(1000 + i, i + 1));
    const all = Buffer.concat(chunks);
    const digest: Digest = `sha256:${createHash('sha256').update(all).digest('hex')}`;
    const session = await startUpload(a, 'spread/app');
    for (const [i, chunk] of chunks.entries()) {
      await appendChunk([a, b, c][i % 3]!, 'spread/app', session.id, { body: once(chunk) });
    }
    assert.equal(rereads, 0, 'no PATCH re-reads what other replicas wrote');
    assert.deepEqual(await finishUpload(c, 'spread/app', session.id, digest, null, actor), { digest, size: all.length });
    assert.equal(rereads, 1, 'the closing PUT hashes the accepted parts once');
    assert.equal(await a.blobs.stat(digest), all.length);

    const wrong = await startUpload(a, 'spread/app');
    await appendChunk(a, 'spread/app', wrong.id, { body: once(chunks[0]!) });
    await appendChunk(b, 'spread/app', wrong.id, { body: once(chunks[1]!) });
    const claimed: Digest = `sha256:${createHash('sha256').update(chunks[0]!).digest('hex')}`;
    await assert.rejects(finishUpload(c, 'spread/app', wrong.id, claimed, null, actor), (e: Error & { code?: string }) => e.code === 'DIGEST_INVALID');
    await a.meta.close();
    await rm(dir, { recursive: true, force: true });
  });
});
