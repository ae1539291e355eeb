// The pooled file sender on a real HTTP server: exact bytes for whole bodies and ranges, the file always closed, and
// a failure mid-body cuts the connection instead of sending a wrong or padded body.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import type { BlobFile } from '../../core/index.ts';
import { idleBuffers, sendFile } from './send-file.ts';

/** A blob file over `bytes`; `failAt` makes a read at or past that position fail; `delayMs` slows every read. */
function memoryFile(bytes: Buffer, o: { failAt?: number; delayMs?: number; shortBy?: number } = {}) {
  const state = { closed: 0, reads: 0, targets: new Set<ArrayBufferLike>(), unaligned: 0 };
  const file: BlobFile = {
    async read(into, position) {
      state.reads++;
      state.targets.add(into.buffer);
      if (into.byteOffset % 4096 !== 0) state.unaligned++;
      if (o.delayMs) await new Promise((r) => setTimeout(r, o.delayMs));
      if (o.failAt !== undefined && position >= o.failAt) throw new Error('disk error');
      const stored = bytes.subarray(0, bytes.length - (o.shortBy ?? 0));
      const n = Math.max(0, Math.min(into.byteLength, stored.length - position));
      into.set(stored.subarray(position, position + n));
      return n;
    },
    async close() {
      state.closed++;
    },
  };
  return { file, state };
}

const servers: Server[] = [];
after(() => {
  for (const s of servers) s.close();
});

/** Serves `file` bytes start..end with a Content-Length; resolves with the server's port and when the handler ended. */
async function serve(file: BlobFile, start: number, end: number): Promise<{ port: number; handled: Promise<void> }> {
  let ended!: () => void;
  const handled = new Promise<void>((r) => (ended = r));
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-length': end - start + 1 });
    void sendFile(res, file, start, end).then(ended);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, handled };
}

/** GETs the body; resolves with what arrived and whether the response completed. */
function fetchBody(port: number, leaveAfter?: number): Promise<{ body: Buffer; complete: boolean }> {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, path: '/' }, (res) => {
      const chunks: Buffer[] = [];
      let got = 0;
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        got += c.length;
        if (leaveAfter !== undefined && got >= leaveAfter) req.destroy();
      });
      res.on('end', () => resolve({ body: Buffer.concat(chunks), complete: res.complete }));
      res.on('error', () => resolve({ body: Buffer.concat(chunks), complete: false }));
      res.on('close', () => resolve({ body: Buffer.concat(chunks), complete: res.complete }));
    });
    req.on('error', () => resolve({ body: Buffer.alloc(0), complete: false }));
  });
}

describe('sendFile', () => {
  const bytes = randomBytes(3 * 1024 * 1024 + 12_345);

  it('sends every byte of a file of several chunks, then closes it', async () => {
    const { file, state } = memoryFile(bytes);
    const { port, handled } = await serve(file, 0, bytes.length - 1);
    const got = await fetchBody(port);
    await handled;
    assert.ok(got.complete);
    assert.ok(got.body.equals(bytes));
    assert.equal(state.closed, 1);
    assert.equal(state.reads, 4, 'one read per 1 MiB chunk');
    assert.equal(state.unaligned, 0, 'every read lands on a page boundary');
    assert.deepEqual(
      [...state.targets].map((b) => b.byteLength),
      [16 * 1024 * 1024],
      "all in the pool's one 16 MiB slab",
    );
  });

  it('sends exactly a range that starts and ends inside chunks', async () => {
    const { file, state } = memoryFile(bytes);
    const { port, handled } = await serve(file, 1_000_001, 2_500_000);
    const got = await fetchBody(port);
    await handled;
    assert.ok(got.body.equals(bytes.subarray(1_000_001, 2_500_001)));
    assert.equal(state.closed, 1);
  });

  it('cuts the connection when a read fails mid-body: a short body, never a complete one', async () => {
    const { file, state } = memoryFile(bytes, { failAt: 2 * 1024 * 1024 });
    const { port, handled } = await serve(file, 0, bytes.length - 1);
    const got = await fetchBody(port);
    await handled;
    assert.equal(got.complete, false);
    assert.ok(got.body.length <= 2 * 1024 * 1024 && bytes.subarray(0, got.body.length).equals(got.body));
    assert.equal(state.closed, 1);
  });

  it('cuts the connection when the file is shorter than its record', async () => {
    const { file, state } = memoryFile(bytes, { shortBy: 10 });
    const { port, handled } = await serve(file, 0, bytes.length - 1);
    const got = await fetchBody(port);
    await handled;
    assert.equal(got.complete, false);
    assert.equal(state.closed, 1);
  });

  it('stops reading and closes the file when the client leaves mid-body', async () => {
    const { file, state } = memoryFile(bytes, { delayMs: 20 });
    const { port, handled } = await serve(file, 0, bytes.length - 1);
    const got = await fetchBody(port, 1);
    await handled;
    assert.equal(got.complete, false);
    assert.ok(state.reads < 4, `read ${state.reads} chunks for a client that left after the first`);
    assert.equal(state.closed, 1);
  });

  it('sends an empty body for an empty range of a zero-byte blob', async () => {
    const { file, state } = memoryFile(Buffer.alloc(0));
    const { port, handled } = await serve(file, 0, -1);
    const got = await fetchBody(port);
    await handled;
    assert.ok(got.complete);
    assert.equal(got.body.length, 0);
    assert.equal(state.reads, 0);
    assert.equal(state.closed, 1);
  });
});

describe('sendFile buffers', () => {
  const bytes = randomBytes(4 * 1024 * 1024);

  /** Resolves once all 16 buffers are idle, or after a second: a cut write hands its buffer back from its callback. */
  const settled = async (): Promise<number> => {
    for (let i = 0; i < 100 && idleBuffers() !== 16; i++) await new Promise((r) => setTimeout(r, 10));
    return idleBuffers();
  };

  it('returns every buffer to the pool after whole bodies, failed reads and clients that leave', async () => {
    assert.equal(await settled(), 16, 'no pull in flight');
    for (const o of [{}, { failAt: 2 * 1024 * 1024 }, { shortBy: 10 }]) {
      const { file } = memoryFile(bytes, o);
      const { port, handled } = await serve(file, 0, bytes.length - 1);
      await fetchBody(port);
      await handled;
    }
    const slow = memoryFile(bytes, { delayMs: 20 });
    const left = await serve(slow.file, 0, bytes.length - 1);
    await fetchBody(left.port, 1);
    await left.handled;
    assert.equal(await settled(), 16);
  });
});
