// Batched removal under purge markers over the real embedded stores: a batch's ownership check comes right before its
// removal, a taken-over marker's bytes are left alone, and a partly failed batch finishes what went through while the
// failed digests keep their markers for a later pass.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pushBlob, registriesClosedAfter, sha256, type TestRegistry } from '../../adapters/test-helpers.ts';
import type { Digest } from '../model/digest.ts';
import type { RegistryDeps } from './deps.ts';
import { newPurgeOwner, PURGE_LEASE_MS, purgeLeaseExpiry, REMOVAL_BATCH, removePurgedBytes } from './purge-lease.ts';

const GRACE = 3_600_000;

/** The registry's stores, recording each ownership check and removal (with its size) in order. */
function recording(reg: TestRegistry): { deps: RegistryDeps; calls: string[] } {
  const calls: string[] = [];
  const deps: RegistryDeps = {
    ...reg.deps,
    meta: {
      ...reg.deps.meta,
      ownsPurges: async (...args) => {
        calls.push(`check ${args[0].length}`);
        return reg.deps.meta.ownsPurges(...args);
      },
    },
    blobs: {
      ...reg.deps.blobs,
      removeMany: async (list, signal) => {
        calls.push(`remove ${list.length}`);
        assert.ok(signal && !signal.aborted, 'the removal runs inside the budget its check started');
        return reg.deps.blobs.removeMany(list, signal);
      },
    },
  };
  return { deps, calls };
}

describe('removePurgedBytes', () => {
  const open = registriesClosedAfter();

  /** `n` pushed blobs, past their grace period, whose purge `owner` has begun. */
  async function purging(reg: TestRegistry, n: number, owner: string): Promise<Digest[]> {
    const blobs = [];
    for (let i = 0; i < n; i++) blobs.push(await pushBlob(reg.deps, 'purge/app', `purged blob ${i}`));
    reg.clock.advance(GRACE);
    const begun = await reg.deps.meta.beginBlobPurge(
      blobs.map((b) => b.digest),
      new Date(reg.clock.now().getTime() - GRACE),
      reg.clock.now(),
      owner,
    );
    assert.equal(begun.length, n);
    return begun.map((b) => b.digest);
  }

  it('a partly failed batch ends the purges that went through; the failed digests keep bytes and markers until a later pass', async () => {
    const reg = await open();
    const owner = newPurgeOwner();
    const digests = await purging(reg, 6, owner);
    const refused = new Set([digests[1]!, digests[4]!]);
    // A store that answers per key, like DeleteObjects with some keys refused: those stay, the rest go.
    const deps: RegistryDeps = {
      ...reg.deps,
      blobs: {
        ...reg.deps.blobs,
        removeMany: async (list, signal) => {
          const out = await reg.deps.blobs.removeMany(
            list.filter((d) => !refused.has(d)),
            signal,
          );
          for (const d of list) if (refused.has(d)) out.set(d, 'failed');
          return out;
        },
      },
    };
    await reg.damageBlob(digests[5]!, null); // already gone: finished, but frees nothing
    const r = await removePurgedBytes(deps, digests, owner);
    assert.equal(r.failed, 2);
    assert.deepEqual([...r.removed].sort(), digests.filter((d) => !refused.has(d)).sort());
    assert.deepEqual([...r.freed].sort(), [digests[0]!, digests[2]!, digests[3]!].sort());
    for (const d of digests) {
      assert.equal(await reg.deps.meta.blobState(d), refused.has(d) ? 'purging' : 'unknown');
      assert.equal((await reg.deps.blobs.stat(d)) !== null, refused.has(d), 'only the refused digests keep their bytes');
    }
    // A later pass takes the failed markers over once their lease is over and finishes them.
    reg.clock.advance(PURGE_LEASE_MS + 1);
    const next = newPurgeOwner();
    const taken = await reg.deps.meta.takeOverPurges(purgeLeaseExpiry(reg.clock.now()), next, reg.clock.now(), 100);
    assert.deepEqual(taken, [...refused].sort());
    const retry = await removePurgedBytes(reg.deps, taken, next);
    assert.deepEqual([retry.removed.size, retry.freed.size, retry.failed], [2, 2, 0]);
    for (const d of refused) assert.equal(await reg.deps.meta.blobState(d), 'unknown');
  });

  it('checks ownership of each batch right before removing it, and never removes bytes of a marker another owner took over', async () => {
    const reg = await open();
    const slow = newPurgeOwner();
    const digests = await purging(reg, 5, slow);
    // The slow sweeper's lease ran out; another pass took two of its markers over and an upload may now claim them.
    reg.clock.advance(PURGE_LEASE_MS + 1);
    const taker = newPurgeOwner();
    const taken = await reg.deps.meta.takeOverPurges(purgeLeaseExpiry(reg.clock.now()), taker, reg.clock.now(), 2);
    assert.equal(taken.length, 2);
    const { deps, calls } = recording(reg);
    const r = await removePurgedBytes(deps, digests, slow);
    assert.deepEqual(calls, ['check 5', 'remove 3']);
    assert.deepEqual([...r.removed].sort(), digests.filter((d) => !taken.includes(d)).sort());
    for (const d of taken) {
      assert.ok((await reg.deps.blobs.stat(d)) !== null, 'the taken-over bytes stay');
      assert.deepEqual(await reg.deps.meta.ownsPurges([d], taker, reg.clock.now()), [d], 'and so does the new owner');
    }
  });

  it(`works through any number of digests ${REMOVAL_BATCH} at a time, each batch checked right before it is removed`, async () => {
    const reg = await open();
    const owner = newPurgeOwner();
    // Files no metadata knows (fsck's orphans), here already gone: each purge ends, none frees anything.
    const digests = Array.from({ length: 2 * REMOVAL_BATCH + 7 }, (_, i) => sha256(`orphan ${i}`));
    assert.equal((await reg.deps.meta.beginOrphanPurge(digests, reg.clock.now(), owner)).length, digests.length);
    const { deps, calls } = recording(reg);
    const r = await removePurgedBytes(deps, digests, owner);
    assert.deepEqual(calls, [`check ${REMOVAL_BATCH}`, `remove ${REMOVAL_BATCH}`, `check ${REMOVAL_BATCH}`, `remove ${REMOVAL_BATCH}`, 'check 7', 'remove 7']);
    assert.deepEqual([r.removed.size, r.freed.size, r.failed], [digests.length, 0, 0]);
    assert.equal((await reg.deps.meta.gcStats({ at: reg.clock.now(), releasedBefore: reg.clock.now(), trashedBefore: reg.clock.now() })).purging, 0);
  });

  it('a store that cannot be asked at all fails the whole batch and keeps every marker', async () => {
    const reg = await open();
    const owner = newPurgeOwner();
    const digests = await purging(reg, 3, owner);
    const deps: RegistryDeps = {
      ...reg.deps,
      blobs: {
        ...reg.deps.blobs,
        removeMany: async () => {
          throw new Error('ECONNREFUSED');
        },
      },
    };
    assert.deepEqual(await removePurgedBytes(deps, digests, owner), { removed: new Set(), freed: new Set(), failed: 3 });
    for (const d of digests) assert.equal(await reg.deps.meta.blobState(d), 'purging');
  });
});
