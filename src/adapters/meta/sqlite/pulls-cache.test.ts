// Recording pulls patches the cached manifest GETs instead of dropping them: the cached answers must still show the
// pull time the row has (by tag and by digest), never move it back, and never take another repository's pull.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { manifest } from '../metadata-store.fixtures.ts';
import { createSqliteMetadataStore } from './index.ts';

const dir = await mkdtemp(join(tmpdir(), 'berth-manifest-cache-'));
after(() => rm(dir, { recursive: true, force: true }));

describe('cached manifest GETs and recorded pulls', () => {
  it('show the recorded pull time by tag and by digest, which only moves forward and only for its repository', async () => {
    const store = createSqliteMetadataStore({ file: join(dir, 'meta.db') });
    const m = manifest('pulls/app', 'one', { tag: 'v1' });
    await store.putManifest(m);
    await store.putManifest(manifest('pulls/other', 'one', { tag: 'v1' }));
    const refs = [{ tag: 'v1' }, { digest: m.digest }];
    for (const ref of refs) assert.equal((await store.getManifest('pulls/app', ref))!.lastPulledAt, null, 'warm the cache');
    const steps = [
      { repository: 'pulls/app', at: 9_000, expected: 9_000 },
      { repository: 'pulls/app', at: 8_000, expected: 9_000 },
      { repository: 'pulls/other', at: 10_000, expected: 9_000 },
    ];
    for (const { repository, at, expected } of steps) {
      await store.recordPulls([{ repository, digest: m.digest, at: new Date(at) }]);
      for (const ref of refs) {
        assert.deepEqual((await store.getManifest('pulls/app', ref))!.lastPulledAt, new Date(expected), `${repository} at ${at}, ${JSON.stringify(ref)}`);
      }
    }
    assert.deepEqual((await store.getManifest('pulls/other', { tag: 'v1' }))!.lastPulledAt, new Date(10_000));
    await store.close();
  });
});
