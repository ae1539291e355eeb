// How many object-store calls a blob push costs, beyond the ones that carry its bytes: each is a round trip (and on
// AWS a billed request) on every push, so the budget (issue 18: at most 4 on average) is checked on the real gateway,
// driven the way core drives the port for a monolithic push (POST, PUT with body) and a chunked one (PATCH..., PUT).
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { S3Client } from '@aws-sdk/client-s3';
import { s3Server } from '../../../../test/servers.ts';
import type { BlobStore } from '../../../core/index.ts';
import { Area, chunksOf, MiB, sha } from '../blob-store.kit.conformance.ts';
import { createS3Client } from './client.ts';
import { parseS3Url } from './location.ts';
import { s3BlobStore } from './s3-blob-store.ts';
import { emptyPrefix, type S3Server, urlOf } from './test-helpers.ts';

interface Sent {
  command: string;
  /** PutObject with at least one byte, or UploadPart: the calls that carry the blob's bytes, outside the budget. */
  data: boolean;
}

function bodyBytes(body: unknown): number {
  if (body instanceof Uint8Array) return body.byteLength;
  if (typeof body === 'string') return body.length;
  return body === undefined ? 0 : Number.POSITIVE_INFINITY; // a stream: bytes of unknown length
}

/** A client that notes every command it sends and whether it carries blob bytes. */
function countingClient(server: S3Server, sent: Sent[]): S3Client {
  const client = createS3Client(parseS3Url(urlOf(server, 'x')), server);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName).replace(/Command$/, '');
      const input = args.input as { Body?: unknown };
      const data = command === 'UploadPart' || (command === 'PutObject' && bodyBytes(input.Body) > 0);
      sent.push({ command, data });
      return next(args);
    },
    { step: 'initialize', name: 'countCommands' },
  );
  return client;
}

/**
 * A push as core drives the port: POST creates the area, each PATCH (or the PUT's body) appends, the PUT commits; or,
 * for a small body sent whole with the PUT, the PUT writes it with commitBytes.
 */
async function push(store: BlobStore, chunks: Buffer[], whole = false): Promise<void> {
  const area = await Area.create(store);
  if (whole) {
    const bytes = Buffer.concat(chunks);
    await store.commitBytes?.(area.id, sha(bytes), bytes);
    return;
  }
  let offset = 0;
  // A monolithic PUT declares its length (Content-Length), as core passes it; a PATCH here does not.
  for (const c of chunks) offset = await area.append(offset, chunksOf(c), true, chunks.length === 1 ? c.length : undefined);
  await area.commit(sha(Buffer.concat(chunks)));
}

interface Kind {
  name: string;
  /** The chunks of one push: one for a monolithic PUT, one per PATCH for a chunked push. */
  chunks: () => Buffer[];
  pushes: number;
  /** Most control calls a push of this kind may cost on average. */
  budget: number;
  /** The PUT carries the whole body and core writes it with commitBytes (bodies up to 1 MiB). */
  whole?: boolean;
}

describe('S3 blob store: object-store calls per blob push', () => {
  let server: S3Server;
  let client: S3Client;
  let store: BlobStore;
  const sent: Sent[] = [];
  const prefix = `calls-${randomUUID()}/`;
  const rows: string[] = [];
  before(async () => {
    server = await s3Server();
    client = countingClient(server, sent);
    store = s3BlobStore({ client, bucket: server.bucket, prefix, ownsClient: false });
  });
  after(async () => {
    await emptyPrefix(client, server.bucket, prefix);
    client.destroy();
    console.log(`control calls per push (data-carrying calls not counted):\n${rows.join('\n')}`);
  });

  // Before issue 18: 10, 12, 10, 16 and 19 calls. A body up to 1 MiB sent whole with the PUT costs the marker and its
  // DELETE (the blob's PUT carries the bytes). Otherwise a small push costs the marker, one check after the append, the
  // copy and one DeleteObjects; every further PATCH adds its check and the commit's read or part copy of its part, a
  // multipart append (over the 5 MiB part size) its create and complete.
  const kinds: Kind[] = [
    { name: 'monolithic 64 KiB written whole (POST, PUT with body: commitBytes)', chunks: () => [randomBytes(64 * 1024)], pushes: 8, budget: 2, whole: true },
    { name: 'monolithic 64 KiB (POST, PUT with body)', chunks: () => [randomBytes(64 * 1024)], pushes: 8, budget: 4 },
    { name: 'monolithic 12 MiB (multipart append)', chunks: () => [randomBytes(12 * MiB)], pushes: 2, budget: 6 },
    { name: 'chunked 64 KiB, 1 PATCH (docker: POST, PATCH, PUT)', chunks: () => [randomBytes(64 * 1024)], pushes: 8, budget: 4 },
    {
      name: 'chunked 3 x 100 KiB PATCHes, PUT',
      chunks: () => [randomBytes(100 * 1024), randomBytes(100 * 1024), randomBytes(100 * 1024)],
      pushes: 4,
      budget: 8,
    },
    { name: 'chunked 2 x 6 MiB PATCHes, PUT (part copy)', chunks: () => [randomBytes(6 * MiB), randomBytes(6 * MiB)], pushes: 2, budget: 12 },
  ];

  for (const kind of kinds) {
    it(`${kind.name}: at most ${kind.budget} control calls on average`, async () => {
      const from = sent.length;
      for (let i = 0; i < kind.pushes; i++) await push(store, kind.chunks(), kind.whole);
      const mine = sent.slice(from).filter((s) => !s.data);
      const byCommand = new Map<string, number>();
      for (const s of mine) byCommand.set(s.command, (byCommand.get(s.command) ?? 0) + 1);
      const average = mine.length / kind.pushes;
      const breakdown = [...byCommand].map(([c, n]) => `${c} ${n / kind.pushes}`).join(', ');
      rows.push(`  ${kind.name}: ${average} (${breakdown})`);
      assert.ok(average <= kind.budget, `${average} control calls per push: ${breakdown}`);
    });
  }
});
