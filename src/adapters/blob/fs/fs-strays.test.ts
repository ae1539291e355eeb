// The stray contract on the filesystem store: files under blobs/, uploads/ and tmp/ that no commit or upload made
// (tmp/ is otherwise cleared only when a store opens), planted behind the store's back; the root's other files stay.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { hexOf } from '../../../core/index.ts';
import { collect, sha, text } from '../blob-store.kit.conformance.ts';
import { runStrayConformance } from '../blob-store.strays.conformance.ts';
import { createFsBlobStore } from './index.ts';

let root = '';

async function plant(rel: string): Promise<{ kind: 'file'; key: string }> {
  await mkdir(join(root, rel, '..'), { recursive: true });
  await writeFile(join(root, rel), 'stray');
  return { kind: 'file', key: rel };
}

runStrayConformance(
  'fs',
  async () => {
    root = await mkdtemp(join(tmpdir(), 'berth-fs-strays-'));
    return { store: await createFsBlobStore({ root, fsync: false }), cleanup: () => rm(root, { recursive: true, force: true }) };
  },
  {
    async plantStrays() {
      const misfiled = hexOf(sha(text('misfiled')));
      return [
        await plant('tmp/leftover'),
        await plant('tmp/deep/er/leftover'),
        await plant('blobs/notes.txt'),
        await plant('blobs/md5/00/abc'),
        await plant('blobs/sha256/zz/zzzz'),
        // A real digest in the wrong shard: no commit puts it there, and list() does not report it.
        await plant(`blobs/sha256/${misfiled.startsWith('00') ? '01' : '00'}/${misfiled}`),
        await plant('uploads/not-an-upload'),
        await plant(`uploads/${randomUUID()}.partial`),
      ];
    },
    async plantInArea() {
      // An upload area is one file here: nothing can lie inside it.
    },
    ownKeys(digest, id) {
      const hex = hexOf(digest);
      return [`blobs/sha256/${hex.slice(0, 2)}/${hex}`, `uploads/${id}`];
    },
  },
);

it('fs strays: removing one takes its emptied foreign directories along, never the layout or the root', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-fs-strays-'));
  try {
    const store = await createFsBlobStore({ root: dir, fsync: false });
    await writeFile(join(dir, 'meta.db'), 'not the blob store');
    await mkdir(join(dir, 'blobs', 'junk', 'deeper'), { recursive: true });
    await writeFile(join(dir, 'blobs', 'junk', 'deeper', 'x'), 'stray');
    const strays = await collect(store.listStrays());
    assert.deepEqual(
      strays.map((s) => s.key),
      ['blobs/junk/deeper/x'],
    );
    assert.equal(await store.removeStray(strays[0]!), true);
    assert.equal(existsSync(join(dir, 'blobs', 'junk')), false);
    for (const kept of ['blobs', 'uploads', 'tmp', 'meta.db']) assert.ok(existsSync(join(dir, kept)), kept);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

it('fs strays: a file written again after it was listed is not removed by the old listing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-fs-strays-'));
  try {
    const store = await createFsBlobStore({ root: dir, fsync: false });
    await writeFile(join(dir, 'tmp', 'scratch'), 'first');
    const [listed] = await collect(store.listStrays());
    await writeFile(join(dir, 'tmp', 'scratch'), 'second, newer');
    await utimes(join(dir, 'tmp', 'scratch'), new Date(), new Date(listed!.modifiedAt.getTime() + 5_000));
    assert.equal(await store.removeStray(listed!), false);
    assert.ok(existsSync(join(dir, 'tmp', 'scratch')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
