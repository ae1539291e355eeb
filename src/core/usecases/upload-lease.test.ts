// Upload sessions and process leases over the real embedded stores: a session of a dead process goes one lease later
// with its bytes, one a live process serves (or took over from a dead one) stays, and its client then starts over.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { registriesClosedAfter } from '../../adapters/test-helpers.ts';
import { appendChunk, endProcessLease, expireAbandonedUploads, type RegistryDeps, renewProcessLease, startUpload } from '../index.ts';

async function* once(text: string): AsyncIterable<Uint8Array> {
  yield new TextEncoder().encode(text);
}

async function areas(deps: RegistryDeps): Promise<string[]> {
  const out: string[] = [];
  for await (const id of deps.blobs.listUploads()) out.push(id);
  return out.sort();
}

describe('upload sessions of dead processes', () => {
  const open = registriesClosedAfter();

  it("expires a dead process's idle session one lease later, keeps a live one's, and lets a live process take a session over", async () => {
    const reg = await open();
    const a: RegistryDeps = { ...reg.deps, processId: 'replica-a' };
    const b: RegistryDeps = { ...reg.deps, processId: 'replica-b' };
    await renewProcessLease(a);
    await renewProcessLease(b);
    const moved = await startUpload(a, 'lease/app');
    const orphaned = await startUpload(a, 'lease/app');
    const served = await startUpload(b, 'lease/app');
    await appendChunk(a, 'lease/app', moved.id, { body: once('first chunk on a, ') });
    await appendChunk(a, 'lease/app', orphaned.id, { body: once('never resumed') });
    reg.clock.advance(20_000);
    // Replica a dies here (no more renewals); its client resumes on b.
    await renewProcessLease(b);
    const after = await appendChunk(b, 'lease/app', moved.id, { body: once('second on b') });
    assert.equal(after.owner, 'replica-b');
    assert.equal(await expireAbandonedUploads(b, 30_000), 0, 'a is not known dead yet');
    reg.clock.advance(20_000);
    await renewProcessLease(b);
    assert.equal(await expireAbandonedUploads(b, 30_000), 1, "a's lease is over: its idle session goes, the one b took over stays");
    assert.equal(await reg.deps.meta.getUpload(orphaned.id), null);
    assert.deepEqual(await areas(reg.deps), [moved.id, served.id].sort(), 'the area went with its session');
    await assert.rejects(appendChunk(b, 'lease/app', orphaned.id, { body: once('too late') }), { code: 'BLOB_UPLOAD_UNKNOWN' });

    // b stops cleanly: its idle sessions are abandoned at once, and a restarted process (a new id) expires them.
    await endProcessLease(b);
    reg.clock.advance(31_000);
    const restarted: RegistryDeps = { ...reg.deps, processId: 'replica-b-again' };
    await renewProcessLease(restarted);
    assert.equal(await expireAbandonedUploads(restarted, 30_000), 2);
    assert.deepEqual(await areas(reg.deps), []);
  });

  it("never expires a live process's session however long it idles (only uploads.idleTimeout does)", async () => {
    const reg = await open();
    await renewProcessLease(reg.deps);
    const s = await startUpload(reg.deps, 'lease/idle');
    reg.clock.advance(3_600_000);
    await renewProcessLease(reg.deps);
    assert.equal(await expireAbandonedUploads(reg.deps, 30_000), 0);
    assert.ok(await reg.deps.meta.getUpload(s.id));
  });
});
