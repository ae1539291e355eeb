// What the S3 adapter's tests share: a fresh key prefix per store, so test files can share the one bucket of the real
// Ceph gateway (test/servers.ts, which only test files may import), a client that records the S3 commands it sends,
// and cleanup of a prefix.
import { randomUUID } from 'node:crypto';
import { DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { BlobStore } from '../../../core/index.ts';
import { createS3Client, type S3Tuning } from './client.ts';
import { parseS3Url } from './location.ts';
import { abortMultipartUnder } from './objects.ts';
import { type S3StoreOptions, s3BlobStore } from './s3-blob-store.ts';

/** The coordinates test/servers.ts gives. */
export interface S3Server {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
}

export function urlOf(server: S3Server, prefix: string): string {
  const q = new URLSearchParams({ endpoint: server.endpoint, region: server.region, forcePathStyle: 'true' });
  return `s3://${server.bucket}/${prefix.replace(/\/$/, '')}?${q}`;
}

/** Decides whether a command (by name, e.g. "CopyObjectCommand") dies instead of being sent: a simulated crash. */
export type CrashWhen = (command: string, input: Record<string, unknown>) => boolean;

export class SimulatedCrash extends Error {
  constructor(command: string) {
    super(`simulated crash before ${command}`);
    this.name = 'SimulatedCrash';
  }
}

/** A client for the test server that appends the name of every command it sends to `sent`, and can crash on cue. */
export function recordingClient(server: S3Server, sent: string[] = [], tuning: S3Tuning = {}, crashWhen?: CrashWhen): S3Client {
  const client = createS3Client(parseS3Url(urlOf(server, 'x')), server, tuning);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName);
      if (crashWhen?.(name, args.input as Record<string, unknown>)) throw new SimulatedCrash(name);
      sent.push(name);
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  return client;
}

/** Deletes every object and unfinished multipart upload under the prefix (bounded: a test prefix holds few). */
export async function emptyPrefix(client: S3Client, bucket: string, prefix: string): Promise<void> {
  await abortMultipartUnder({ client, transfers: client, name: bucket }, prefix);
  for (let round = 0; round < 100; round++) {
    const out = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    const keys = (out.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
    if (keys.length === 0) return;
    await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
  }
}

export interface TestStore {
  store: BlobStore;
  client: S3Client;
  server: S3Server;
  prefix: string;
  /** Every S3 command the store sent, in order. */
  sent: string[];
  cleanup(): Promise<void>;
}

/** A store on the test server under its own random prefix (or `prefix`, to open a second "replica" on the same data). */
export async function openTestStore(server: S3Server, options: Partial<S3StoreOptions> & { prefix?: string; crashWhen?: CrashWhen } = {}): Promise<TestStore> {
  const prefix = options.prefix ?? `t-${randomUUID()}/`;
  const sent: string[] = [];
  const client = recordingClient(server, sent, {}, options.crashWhen);
  const store = s3BlobStore({
    partSize: options.partSize,
    queueSize: options.queueSize,
    redirect: options.redirect,
    client,
    bucket: server.bucket,
    prefix,
    ownsClient: false,
  });
  const cleanup = async (): Promise<void> => {
    const cleaner = recordingClient(server);
    await emptyPrefix(cleaner, server.bucket, prefix);
    cleaner.destroy();
    client.destroy();
  };
  return { store, client, server, prefix, sent, cleanup };
}
