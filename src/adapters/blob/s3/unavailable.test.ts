// An object store that refuses connections, hangs, or sheds load must surface as UNAVAILABLE (503 + Retry-After),
// quickly and never as a hung request. Local stand-ins, no Ceph: a closed port, a server that never answers, and one
// that answers 503 SlowDown / 500 InternalError as S3 does.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { type BlobStore, isRegistryError } from '../../../core/index.ts';
import { createS3Client, type S3Tuning } from './client.ts';
import { parseS3Url } from './location.ts';
import { createS3BlobStore } from './open.ts';
import { s3BlobStore } from './s3-blob-store.ts';

const DIGEST = `sha256:${'a'.repeat(64)}` as const;
const FAST: S3Tuning = { connectTimeoutMs: 300, idleTimeoutMs: 300, maxAttempts: 2 };

function storeAt(port: number): BlobStore {
  const location = parseS3Url(`s3://bucket/p?endpoint=http://127.0.0.1:${port}`);
  return s3BlobStore({ client: createS3Client(location, { accessKeyId: 'k', secretAccessKey: 's' }, FAST), bucket: 'bucket', prefix: 'p/' });
}

async function listening(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  return address.port;
}

const unavailable = (e: unknown): boolean => {
  assert.ok(isRegistryError(e), `expected RegistryError UNAVAILABLE, got ${String(e)}`);
  assert.equal(e.code, 'UNAVAILABLE');
  return true;
};

/** Every kind of call fails with UNAVAILABLE, each within `withinMs`. */
async function allUnavailable(store: BlobStore, withinMs: number): Promise<void> {
  const id = randomUUID();
  const calls: Array<[string, () => Promise<unknown>]> = [
    ['ping', () => store.ping()],
    ['stat', () => store.stat(DIGEST)],
    ['open', () => store.open(DIGEST)],
    ['remove', () => store.remove(DIGEST)],
    [
      'list',
      async () => {
        for await (const _ of store.list()) break;
      },
    ],
    ['createUpload', () => store.createUpload(id)],
    [
      'appendUpload',
      () =>
        store.appendUpload(
          id,
          0,
          (async function* () {
            yield Buffer.from('x');
          })(),
        ),
    ],
    [
      'readUpload',
      async () => {
        for await (const _ of store.readUpload(id, 1, [{ offset: 0, size: 1, ref: 'aaaaaaaaaaaa' }])) break;
      },
    ],
    ['commitUpload', () => store.commitUpload(id, 1, DIGEST, [{ offset: 0, size: 1, ref: 'aaaaaaaaaaaa' }])],
    ['removeUpload', () => store.removeUpload(id)],
    [
      'listUploads',
      async () => {
        for await (const _ of store.listUploads()) break;
      },
    ],
  ];
  for (const [name, call] of calls) {
    const started = Date.now();
    await assert.rejects(call(), unavailable, name);
    assert.ok(Date.now() - started < withinMs, `${name} took ${Date.now() - started} ms`);
  }
}

describe('S3 blob store: an unreachable or overloaded endpoint is UNAVAILABLE', () => {
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  after(async () => {
    for (const s of sockets) s.destroy();
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });

  it('a stopped endpoint (connection refused)', async () => {
    const probe = createServer();
    const port = await listening(probe);
    await new Promise((resolve) => probe.close(resolve));
    await allUnavailable(storeAt(port), 3_000);
  });

  it('an endpoint that accepts connections and never answers (timeouts, not a hang)', async () => {
    const silent = createServer((socket) => sockets.add(socket));
    servers.push(silent);
    await allUnavailable(storeAt(await listening(silent)), 3_000);
  });

  for (const [status, code] of [
    [503, 'SlowDown'],
    [500, 'InternalError'],
    [503, 'ServiceUnavailable'],
  ] as const) {
    it(`an endpoint answering ${status} ${code}`, async () => {
      const busy = createHttpServer((req, res) => {
        req.resume();
        res.writeHead(status, { 'content-type': 'application/xml' });
        res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>busy</Message></Error>`);
      });
      servers.push(busy);
      await allUnavailable(storeAt(await listening(busy)), 5_000);
    });
  }

  it('starts anyway when the endpoint is down (readiness reports it), but not with a malformed URL', async () => {
    const probe = createServer();
    const port = await listening(probe);
    await new Promise((resolve) => probe.close(resolve));
    const store = await createS3BlobStore(`s3://bucket?endpoint=http://127.0.0.1:${port}`, { accessKeyId: 'k', secretAccessKey: 's' }, FAST);
    await assert.rejects(store.ping(), unavailable);
    await store.close();
    await assert.rejects(createS3BlobStore('s3://Bad_Bucket?endpoint=http://127.0.0.1:1'), (e) => isRegistryError(e) && e.code === 'INVALID_REQUEST');
  });
});
