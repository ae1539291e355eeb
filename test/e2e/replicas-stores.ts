// The shared stores several berth replicas run on, as one parameter: PostgreSQL + S3 (the scale-out deployment),
// or the embedded SQLite file and blob directory shared by processes of one machine (enough to exercise the proxy,
// the harness and the checks without the servers). Each call isolates itself: own schema, own key prefix, own dir.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import pg from 'pg';
import { openBlobStore, openMetadataStore } from '../../src/adapters/factory.ts';
import { postgresServer, type S3Server, s3Server } from '../servers.ts';

/**
 * postgres-s3: the scale-out deployment. embedded-shared: one SQLite file and one blob dir shared by the processes of
 * one machine. postgres-file: PostgreSQL with one shared blob dir (exercises the database side on its own).
 */
export type Backend = 'embedded-shared' | 'postgres-s3' | 'postgres-file';
const BACKENDS: readonly Backend[] = ['embedded-shared', 'postgres-s3', 'postgres-file'];

/** `text` (a flag) or else BERTH_REPLICA_BACKEND picks the backend of the replica tests and of `npm run torture -- --replicas N`. */
export function replicaBackend(text: string | undefined = process.env.BERTH_REPLICA_BACKEND, fallback: Backend = 'postgres-s3'): Backend {
  const b = text ?? fallback;
  if (!(BACKENDS as readonly string[]).includes(b)) throw new Error(`the replica backend must be one of ${BACKENDS.join(', ')}, got "${b}"`);
  return b as Backend;
}

export interface SharedStores {
  backend: Backend;
  /** --meta of every replica and every CLI call. */
  meta: string;
  /** --blobs of every replica and every CLI call. */
  blobs: string;
  /** secrets.dir: master.key and token.key, which every replica must share. */
  secretsDir: string;
  /** Environment every replica and CLI call needs (secrets dir, S3 credentials). */
  env: Record<string, string>;
  /** Scratch space of this cluster (replica data dirs live under it). */
  root: string;
  dispose(): Promise<void>;
}

/** The schemes this build's adapter factory knows, read from its own error message (no connection is made). */
async function knownSchemes(): Promise<{ meta: string[]; blobs: string[] }> {
  const known = async (open: () => Promise<unknown>): Promise<string[]> => {
    try {
      await open();
    } catch (e) {
      const m = /known: (.*)$/.exec((e as Error).message);
      if (m) return m[1]!.split(',').map((s) => s.trim());
    }
    return [];
  };
  return { meta: await known(() => openMetadataStore('zz-probe:', tmpdir())), blobs: await known(() => openBlobStore('zz-probe:', tmpdir())) };
}

/**
 * `false` to run, or why not: only when this build has no adapter for the backend's schemes yet (the PostgreSQL and
 * S3 adapters land separately). Under CI=true that is a failure, never a skip.
 */
export async function backendSkip(backend: Backend): Promise<false | string> {
  if (backend === 'embedded-shared') return false;
  const k = await knownSchemes();
  const missing = [...(k.meta.includes('postgres') ? [] : ['postgres:']), ...(backend !== 'postgres-s3' || k.blobs.includes('s3') ? [] : ['s3:'])];
  if (missing.length === 0) return false;
  const why = `the adapter factory does not know ${missing.join(' and ')} yet (known: meta ${k.meta.join(', ')}; blobs ${k.blobs.join(', ')})`;
  if (process.env.CI === 'true') throw new Error(`${why}; CI=true never skips the replica tests`);
  return why;
}

const ident = (label: string): string =>
  `${label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 30)}_${randomBytes(4).toString('hex')}`;

export async function sharedStores(backend: Backend, label: string): Promise<SharedStores> {
  const root = await mkdtemp(join(tmpdir(), 'berth-replicas-'));
  const secretsDir = join(root, 'secrets');
  await mkdir(secretsDir, { mode: 0o700 });
  const base = { backend, secretsDir, root };
  if (backend === 'embedded-shared') {
    await mkdir(join(root, 'shared'));
    return {
      ...base,
      meta: `sqlite:${join(root, 'shared', 'meta.db')}`,
      blobs: `file:${join(root, 'shared', 'blobs')}`,
      env: { BERTH_SECRETS_DIR: secretsDir },
      dispose: () => rm(root, { recursive: true, force: true }),
    };
  }
  const name = `berth_${ident(label)}`;
  const pgServer = await postgresServer();
  const meta = `${pgServer.url}${pgServer.url.includes('?') ? '&' : '?'}schema=${name}`;
  if (backend === 'postgres-file') {
    return {
      ...base,
      meta,
      blobs: `file:${join(root, 'shared-blobs')}`,
      env: { BERTH_SECRETS_DIR: secretsDir },
      dispose: async () => {
        await dropSchema(pgServer.url, name).catch(() => undefined);
        await rm(root, { recursive: true, force: true });
      },
    };
  }
  const s3 = await s3Server();
  const prefix = name.replace(/_/g, '-');
  const blobs = `s3://${s3.bucket}/${prefix}?endpoint=${s3.endpoint}&region=${s3.region}&forcePathStyle=true`;
  const creds = { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey, AWS_REGION: s3.region };
  // In-process checks open the same stores through openRegistry, whose S3 adapter reads the standard variables.
  Object.assign(process.env, creds);
  return {
    ...base,
    meta,
    blobs,
    env: { BERTH_SECRETS_DIR: secretsDir, ...creds },
    dispose: async () => {
      await Promise.allSettled([dropSchema(pgServer.url, name), emptyPrefix(s3, `${prefix}/`)]);
      await rm(root, { recursive: true, force: true });
    },
  };
}

async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** Deletes every object under `prefix` (bounded: 10,000 pages of 1,000). */
export async function emptyPrefix(s3: S3Server, prefix: string): Promise<number> {
  const client = s3Client(s3);
  let removed = 0;
  try {
    for (let i = 0; i < 10_000; i++) {
      const page = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix, MaxKeys: 1000 }));
      const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
      if (keys.length === 0) break;
      await client.send(new DeleteObjectsCommand({ Bucket: s3.bucket, Delete: { Objects: keys, Quiet: true } }));
      removed += keys.length;
    }
  } finally {
    client.destroy();
  }
  return removed;
}

export function s3Client(s3: S3Server): S3Client {
  return new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}
