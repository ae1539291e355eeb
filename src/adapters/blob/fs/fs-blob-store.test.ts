import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Digest } from '../../../core/index.ts';
import { runBlobStoreConformance } from '../blob-store.conformance.ts';
import { createFsBlobStore } from './index.ts';

runBlobStoreConformance('fs', async () => {
  const root = await mkdtemp(join(tmpdir(), 'berth-fs-'));
  return { store: await createFsBlobStore({ root }), cleanup: () => rm(root, { recursive: true, force: true }) };
});

describe('fs blob store specifics', () => {
  it('refuses ids and digests that could escape the root', async () => {
    const root = await mkdtemp(join(tmpdir(), 'berth-fs-'));
    const store = await createFsBlobStore({ root, fsync: false });
    await assert.rejects(store.createUpload('../../etc/x'));
    await assert.rejects(store.createUpload(`${randomUUID()}/..`));
    await assert.rejects(store.stat('sha256:../../../etc/passwd' as Digest));
    await assert.rejects(store.open(`sha256:${'A'.repeat(64)}` as Digest));
    assert.deepEqual((await readdir(root)).sort(), ['blobs', 'tmp', 'uploads']);
    await rm(root, { recursive: true, force: true });
  });

  it('empties tmp/ on open and ignores stray files when listing', async () => {
    const root = await mkdtemp(join(tmpdir(), 'berth-fs-'));
    await mkdir(join(root, 'tmp'), { recursive: true });
    await writeFile(join(root, 'tmp', 'leftover'), 'x');
    await mkdir(join(root, 'uploads'), { recursive: true });
    await writeFile(join(root, 'uploads', 'not-a-uuid'), 'x');
    const store = await createFsBlobStore({ root, fsync: false });
    assert.deepEqual(await readdir(join(root, 'tmp')), []);
    const ids: string[] = [];
    for await (const id of store.listUploads()) ids.push(id);
    assert.deepEqual(ids, []);
    await rm(root, { recursive: true, force: true });
  });
});
