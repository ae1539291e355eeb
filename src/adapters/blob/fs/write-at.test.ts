// The overlapped writer against a fake file that writes short, slowly and sometimes fails: the cases a real disk
// rarely shows in a test but that would corrupt uploads if the batching got them wrong.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { writeChunksAt } from './write-at.ts';

interface Fake {
  handle: FileHandle;
  bytes: () => Buffer;
  calls: { writes: number; syncs: number; maxInFlight: number };
}

function fakeFile(opts: { shortBy?: number; failAtCall?: number; failSync?: boolean; delayMs?: number } = {}): Fake {
  let data = Buffer.alloc(0);
  let inFlight = 0;
  const calls = { writes: 0, syncs: 0, maxInFlight: 0 };
  async function put(buffers: Uint8Array[], position: number): Promise<{ bytesWritten: number }> {
    calls.writes++;
    inFlight++;
    calls.maxInFlight = Math.max(calls.maxInFlight, inFlight);
    try {
      await sleep(opts.delayMs ?? 1);
      if (opts.failAtCall === calls.writes) throw Object.assign(new Error('ENOSPC: no space left'), { code: 'ENOSPC' });
      let all = Buffer.concat(buffers);
      // Short writes: accept only part of the request, as write(2) may.
      if (opts.shortBy && all.length > opts.shortBy) all = all.subarray(0, all.length - opts.shortBy);
      const end = position + all.length;
      if (data.length < end) data = Buffer.concat([data, Buffer.alloc(end - data.length)]);
      all.copy(data, position);
      return { bytesWritten: all.length };
    } finally {
      inFlight--;
    }
  }
  const handle = {
    write: (b: Uint8Array, off: number, len: number, pos: number) => put([b.subarray(off, off + len)], pos),
    writev: (bs: Uint8Array[], pos: number) => put(bs, pos),
    datasync: async () => {
      calls.syncs++;
      await sleep(2);
      if (opts.failSync) throw new Error('EIO on sync');
    },
  } as unknown as FileHandle;
  return { handle, bytes: () => data, calls };
}

async function* source(parts: Uint8Array[], delayMs = 0): AsyncIterable<Uint8Array> {
  for (const p of parts) {
    if (delayMs) await sleep(delayMs);
    yield p;
  }
}

const sizes = [1, 70_000, 0, 3, 65_536, 1_000_000, 17, 2_500_000, 5];

describe('writeChunksAt', () => {
  it('writes every byte in order, batching while a write is in flight, one write at a time', async () => {
    const parts = sizes.map((n) => randomBytes(n));
    const fake = fakeFile({ delayMs: 3 });
    const end = await writeChunksAt(fake.handle, 0, source(parts), { maxQueued: 1 << 20, flushEvery: 0 });
    assert.equal(end, Buffer.concat(parts).length);
    assert.ok(fake.bytes().equals(Buffer.concat(parts)), 'file holds exactly the chunks, in order');
    assert.equal(fake.calls.maxInFlight, 1, 'writes never overlap each other');
    assert.ok(fake.calls.writes < parts.length, `chunks were batched (${fake.calls.writes} writes)`);
  });

  it('stops pulling from the source while the disk is behind', async () => {
    const fake = fakeFile({ delayMs: 10 });
    const chunk = 64 * 1024;
    const maxQueued = 256 * 1024;
    let pulled = 0;
    let worst = 0;
    async function* fast(): AsyncIterable<Uint8Array> {
      for (let i = 0; i < 100; i++) {
        worst = Math.max(worst, pulled - fake.bytes().length);
        pulled += chunk;
        yield randomBytes(chunk);
      }
    }
    await writeChunksAt(fake.handle, 0, fast(), { maxQueued, flushEvery: 0 });
    // At most one batch in flight plus one queue, each bounded by maxQueued and one chunk.
    assert.ok(worst <= 2 * (maxQueued + chunk), `held ${worst} bytes not yet on disk`);
  });

  it('starts at the given position', async () => {
    const fake = fakeFile();
    assert.equal(await writeChunksAt(fake.handle, 10, source([Buffer.from('abc')]), { maxQueued: 1024, flushEvery: 0 }), 13);
    assert.equal(fake.bytes().subarray(10).toString(), 'abc');
  });

  it('finishes short writes', async () => {
    const parts = sizes.map((n) => randomBytes(n));
    const fake = fakeFile({ shortBy: 1000 });
    await writeChunksAt(fake.handle, 0, source(parts, 1), { maxQueued: 4096, flushEvery: 0 });
    assert.ok(fake.bytes().equals(Buffer.concat(parts)), 'file holds exactly the chunks, in order');
  });

  it('flushes early while streaming when asked to', async () => {
    const fake = fakeFile();
    await writeChunksAt(
      fake.handle,
      0,
      source(
        Array.from({ length: 10 }, () => randomBytes(1000)),
        1,
      ),
      { maxQueued: 1000, flushEvery: 2500 },
    );
    assert.ok(fake.calls.syncs >= 1);
  });

  it('rejects with the disk error and stops reading the source', async () => {
    const fake = fakeFile({ failAtCall: 2 });
    let pulled = 0;
    async function* endless(): AsyncIterable<Uint8Array> {
      for (let i = 0; i < 10_000; i++) {
        pulled++;
        await sleep(1);
        yield randomBytes(100);
      }
    }
    await assert.rejects(writeChunksAt(fake.handle, 0, endless(), { maxQueued: 100, flushEvery: 0 }), /ENOSPC/);
    assert.ok(pulled < 50, `stopped after ${pulled} chunks`);
  });

  it('rejects when an early flush fails', async () => {
    const fake = fakeFile({ failSync: true });
    await assert.rejects(
      writeChunksAt(
        fake.handle,
        0,
        source(
          Array.from({ length: 5 }, () => randomBytes(1000)),
          2,
        ),
        { maxQueued: 1000, flushEvery: 1000 },
      ),
      /EIO/,
    );
  });

  it('rejects with the source error only after writes in flight have settled', async () => {
    const fake = fakeFile({ delayMs: 20 });
    let settled = true;
    const real = fake.handle.writev.bind(fake.handle);
    (fake.handle as { writev: FileHandle['writev'] }).writev = (async (bs: Uint8Array[], pos: number) => {
      settled = false;
      try {
        return await real(bs, pos);
      } finally {
        settled = true;
      }
    }) as FileHandle['writev'];
    async function* broken(): AsyncIterable<Uint8Array> {
      yield randomBytes(10);
      yield randomBytes(10);
      yield randomBytes(10);
      throw new Error('socket hang up');
    }
    await assert.rejects(writeChunksAt(fake.handle, 0, broken(), { maxQueued: 1 << 20, flushEvery: 0 }), /socket hang up/);
    assert.equal(settled, true, 'no write still running when the caller may close the file');
  });
});
