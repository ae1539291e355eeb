// The helpers the BlobStore conformance suite and the adapters' own tests share: byte sources and sinks, a fast byte
// comparison, and an upload area driven the way core drives it (accepted parts recorded as the metadata store does).
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { after, before } from 'node:test';
import { type BlobStore, type Digest, type ErrorCode, isRegistryError, type UploadPart } from '../../core/index.ts';

export interface OpenedBlobStore {
  store: BlobStore;
  cleanup: () => Promise<void>;
}

/** Opens a fresh store before the enclosing suite's tests (handing it to `set`) and closes and removes it after them. */
export function storePerSuite(open: () => Promise<OpenedBlobStore>, set: (store: BlobStore) => void): void {
  let opened: OpenedBlobStore | undefined;
  before(async () => {
    opened = await open();
    set(opened.store);
  });
  after(async () => {
    await opened?.store.close();
    await opened?.cleanup();
  });
}

export const MiB = 1024 * 1024;
export const sha = (b: Uint8Array): Digest => `sha256:${createHash('sha256').update(b).digest('hex')}`;
export const text = (s: string): Buffer => Buffer.from(s, 'utf8');

export async function* chunksOf(...parts: Uint8Array[]): AsyncIterable<Uint8Array> {
  for (const p of parts) yield p;
}

export async function readAll(stream: AsyncIterable<Uint8Array> | null): Promise<Buffer> {
  assert.ok(stream, 'expected a stream');
  const out: Buffer[] = [];
  for await (const c of stream) out.push(Buffer.from(c));
  return Buffer.concat(out);
}

/** Byte equality that fails fast with the first differing offset (assert's diff of large buffers takes minutes). */
export function sameBytes(actual: Uint8Array, expected: Uint8Array, what = 'bytes'): void {
  const a = Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength);
  const e = Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength);
  if (a.equals(e)) return;
  let i = 0;
  while (i < Math.min(a.length, e.length) && a[i] === e[i]) i++;
  assert.fail(`${what}: ${a.length} bytes, expected ${e.length}; first difference at offset ${i}`);
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

export function hasCode(code: ErrorCode): (e: unknown) => boolean {
  return (e) => {
    assert.ok(isRegistryError(e), `expected RegistryError ${code}, got ${String(e)}`);
    assert.equal(e.code, code);
    return true;
  };
}

/**
 * An upload area driven the way core drives it: each accepted append's part is recorded (as the metadata store's
 * compare-and-set does), a rejected one's is not, and reads and commits name exactly the recorded parts.
 */
export class Area {
  parts: UploadPart[] = [];
  readonly store: BlobStore;
  readonly id: string;
  constructor(store: BlobStore, id: string = randomUUID()) {
    this.store = store;
    this.id = id;
  }
  static async create(store: BlobStore): Promise<Area> {
    const area = new Area(store);
    await store.createUpload(area.id);
    return area;
  }
  /**
   * Appends at `offset` and records the part unless `accepted` is false (a request whose offset update lost); `length`
   * is the byte count the client declared, as core passes it.
   */
  async append(offset: number, chunks: AsyncIterable<Uint8Array>, accepted = true, length?: number): Promise<number> {
    const { size, ref } = await this.store.appendUpload(this.id, offset, chunks, length);
    assert.equal(typeof ref, 'string');
    if (accepted) {
      this.parts = this.parts.filter((p) => p.offset < offset);
      if (size > offset) this.parts.push({ offset, size: size - offset, ref });
    }
    return size;
  }
  get length(): number {
    return this.parts.reduce((n, p) => n + p.size, 0);
  }
  read(length = this.length): AsyncIterable<Uint8Array> {
    return this.store.readUpload(this.id, length, this.parts);
  }
  commit(digest: Digest, length = this.length): Promise<void> {
    return this.store.commitUpload(this.id, length, digest, this.parts);
  }
}

export async function put(store: BlobStore, bytes: Uint8Array): Promise<Digest> {
  const area = await Area.create(store);
  assert.equal(await area.append(0, chunksOf(bytes)), bytes.byteLength);
  const digest = sha(bytes);
  await area.commit(digest);
  return digest;
}

/** `count` chunks of `size` pseudo-random bytes, each a fresh buffer, fed to `hash` as they are produced. */
export async function* generated(count: number, size: number, hash: { update(b: Uint8Array): unknown }): AsyncIterable<Uint8Array> {
  const seed = randomBytes(size);
  for (let i = 0; i < count; i++) {
    const chunk = Buffer.from(seed);
    chunk.writeUInt32BE(i, 0);
    hash.update(chunk);
    yield chunk;
  }
}
