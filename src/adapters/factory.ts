// Chooses adapters by URL scheme from an explicit map (no import side effects), so an unknown backend is a
// clear start-up error and later backends (postgres:, s3:) plug in here.
import { resolve } from 'node:path';
import { type BlobStore, type MetadataStore, RegistryError } from '../core/index.ts';
import { createFsBlobStore } from './blob/fs/index.ts';
import type { S3BlobSettings } from './blob/s3/index.ts';
import { createSqliteMetadataStore } from './meta/sqlite/index.ts';

/** Backend sections of the config file's `blobs` block (`blobs.s3`), handed to the opener of that scheme. */
export interface BlobSettings {
  readonly s3?: Readonly<S3BlobSettings> | undefined;
}

/** Options of the config's `meta` section that a backend reads (the sqlite: backend's read cache). */
export interface MetaSettings {
  readonly readCacheBytes?: number | undefined;
}

type Opener<T, S> = (rest: string, dataDir: string, settings: S) => Promise<T>;

/** postgres://USER:PASSWORD@HOST:PORT/DB[?schema=NAME&pool=N&connectTimeoutMs=MS]; both spellings libpq accepts. */
const postgres =
  (scheme: string): Opener<MetadataStore, MetaSettings> =>
  async (rest) =>
    (await import('./meta/postgres/index.ts')).createPostgresMetadataStore({ url: `${scheme}://${rest}` });

const META: Record<string, Opener<MetadataStore, MetaSettings>> = {
  sqlite: async (rest, dataDir, meta) =>
    createSqliteMetadataStore({ file: rest ? resolve(rest) : resolve(dataDir, 'meta.db'), readCacheBytes: meta.readCacheBytes }),
  postgres: postgres('postgres'),
  postgresql: postgres('postgresql'),
};

const BLOBS: Record<string, Opener<BlobStore, BlobSettings>> = {
  file: async (rest, dataDir) => createFsBlobStore({ root: rest ? resolve(rest) : resolve(dataDir) }),
  // Loaded only when used: the AWS SDK alone costs the embedded default about 30 MiB of resident memory.
  s3: async (rest, _dataDir, blobs) => (await import('./blob/s3/index.ts')).createS3BlobStore(`s3://${rest}`, blobs.s3),
};

function split(url: string): [string, string] {
  const i = url.indexOf(':');
  if (i < 0) return [url, ''];
  return [url.slice(0, i), url.slice(i + 1).replace(/^\/\//, '')];
}

async function open<T, S>(
  kind: string,
  table: Record<string, Opener<T, S>>,
  url: string | undefined,
  fallback: string,
  dataDir: string,
  settings: S,
): Promise<T> {
  const [scheme, rest] = split(url ?? fallback);
  const opener = table[scheme];
  if (!opener) {
    throw new RegistryError('INVALID_REQUEST', `unknown ${kind} backend "${scheme}" in "${url}"; known: ${Object.keys(table).join(', ')}`);
  }
  return opener(rest, dataDir, settings);
}

/** `settings` is the config's `meta` section (options of the sqlite: backend). */
export function openMetadataStore(url: string | undefined, dataDir: string, settings: MetaSettings = {}): Promise<MetadataStore> {
  return open('metadata', META, url, 'sqlite:', dataDir, settings);
}

/** `settings` is the config's `blobs` section (credentials and options of the s3: backend). */
export function openBlobStore(url: string | undefined, dataDir: string, settings: BlobSettings = {}): Promise<BlobStore> {
  return open('blob', BLOBS, url, 'file:', dataDir, settings);
}
