// Use-case tests of the closing PUT that carries a small blob whole, on a store offering commitBytes (S3 in production;
// here the real filesystem store with commitBytes made of its own append and commit, counted): which path runs, and
// that nothing is written before the digest and the length are verified.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createFsBlobStore } from '../../src/adapters/blob/fs/index.ts';
import { appendChunk, type BlobStore, type Digest, finishUpload, type RegistryDeps, startUpload, WHOLE_UPLOAD_MAX_BYTES } from '../../src/core/index.ts';
import { sqliteDeps } from './sqlite-deps.ts';

const actor = { principal: 'test', dialect: 'oci' } as const;
const sha = (b: Uint8Array): Digest => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const hasCode = (code: string) => (e: Error & { code?: string }) => e.code === code;

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

interface Counted {
  deps: RegistryDeps;
  calls: { commitBytes: number; appendUpload: number };
}

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function open(): Promise<Counted> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-whole-'));
  dirs.push(dir);
  const fs = await createFsBlobStore({ root: dir, fsync: false });
  const calls = { commitBytes: 0, appendUpload: 0 };
  const blobs: BlobStore = {
    ...fs,
    appendUpload: (...args) => {
      calls.appendUpload++;
      return fs.appendUpload(...args);
    },
    async commitBytes(id, digest, bytes) {
      calls.commitBytes++;
      const { size, ref } = await fs.appendUpload(id, 0, once(bytes));
      await fs.commitUpload(id, size, digest, [{ offset: 0, size, ref }]);
    },
  };
  const deps = sqliteDeps(dir, blobs);
  return { deps, calls };
}

describe('finishUpload with the whole blob in the closing request', () => {
  it('writes it with one commitBytes, links it and closes the session', async () => {
    const { deps, calls } = await open();
    const bytes = Buffer.from('a small config blob');
    const session = await startUpload(deps, 'whole/app');
    const done = await finishUpload(deps, 'whole/app', session.id, sha(bytes), { body: once(bytes), expectedLength: bytes.length }, actor);
    assert.deepEqual(done, { digest: sha(bytes), size: bytes.length });
    assert.deepEqual(calls, { commitBytes: 1, appendUpload: 0 });
    assert.deepEqual(await deps.meta.findBlob('whole/app', sha(bytes)), { digest: sha(bytes), size: bytes.length });
    assert.equal(await deps.meta.getUpload(session.id), null);
    await deps.meta.close();
  });

  it('writes nothing for a wrong digest or a wrong length; the session stays open at 0 for a retry', async () => {
    const { deps, calls } = await open();
    const bytes = Buffer.from('abc');
    const session = await startUpload(deps, 'whole/app');
    const wrong = sha(Buffer.from('abd'));
    await assert.rejects(finishUpload(deps, 'whole/app', session.id, wrong, { body: once(bytes), expectedLength: 3 }, actor), hasCode('DIGEST_INVALID'));
    await assert.rejects(finishUpload(deps, 'whole/app', session.id, sha(bytes), { body: once(bytes), expectedLength: 4 }, actor), hasCode('SIZE_INVALID'));
    await assert.rejects(finishUpload(deps, 'whole/app', session.id, sha(bytes), { body: once(bytes), expectedLength: 2 }, actor), hasCode('SIZE_INVALID'));
    assert.deepEqual(calls, { commitBytes: 0, appendUpload: 0 });
    assert.equal(await deps.blobs.stat(wrong), null);
    assert.equal((await deps.meta.getUpload(session.id))?.offset, 0);
    assert.equal((await finishUpload(deps, 'whole/app', session.id, sha(bytes), { body: once(bytes), expectedLength: 3 }, actor)).size, 3);
    await deps.meta.close();
  });

  it('takes the usual path for a session that holds bytes already, a body over the limit, or one of unknown length', async () => {
    const { deps, calls } = await open();
    const head = Buffer.from('head-');
    const tail = Buffer.from('tail');
    const chunked = await startUpload(deps, 'whole/app');
    await appendChunk(deps, 'whole/app', chunked.id, { body: once(head) });
    const all = Buffer.concat([head, tail]);
    assert.equal((await finishUpload(deps, 'whole/app', chunked.id, sha(all), { body: once(tail), expectedLength: tail.length }, actor)).size, all.length);
    const big = Buffer.alloc(WHOLE_UPLOAD_MAX_BYTES + 1, 7);
    const large = await startUpload(deps, 'whole/app');
    assert.equal((await finishUpload(deps, 'whole/app', large.id, sha(big), { body: once(big), expectedLength: big.length }, actor)).size, big.length);
    const unsized = await startUpload(deps, 'whole/app');
    assert.equal((await finishUpload(deps, 'whole/app', unsized.id, sha(tail), { body: once(tail) }, actor)).size, tail.length);
    assert.deepEqual(calls, { commitBytes: 0, appendUpload: 4 });
    await deps.meta.close();
  });
});
