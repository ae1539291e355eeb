// Opens the S3 blob store from its URL and the config file's s3 section, and checks once at start-up what can only be
// a configuration mistake (no such bucket, credentials refused), so those stop berth with a clear message. An endpoint
// that is merely down does not stop it: /readyz reports that until the store comes back.
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { type BlobStore, RegistryError } from '../../../core/index.ts';
import { CONTROL, createS3Client, type S3Credentials, type S3Tuning, TRANSFER } from './client.ts';
import { parseS3Url } from './location.ts';
import { s3BlobStore } from './s3-blob-store.ts';

/** The `blobs.s3` section of the config file. */
export interface S3BlobSettings extends S3Credentials {
  /** Let blob GETs redirect clients to presigned URLs of the store (the store must be reachable by them). */
  redirect?: boolean | undefined;
}

export interface S3OpenOptions extends S3Tuning {
  /** Where AWS_REGION comes from when the URL names no region (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  partSize?: number;
  queueSize?: number;
}

function configurationError(url: string, e: unknown): RegistryError | null {
  const name = (e as { name?: unknown } | null)?.name;
  const status = (e as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata?.httpStatusCode;
  const message = e instanceof Error ? e.message : String(e);
  if (name === 'CredentialsProviderError') {
    return new RegistryError(
      'INVALID_REQUEST',
      `no S3 credentials for ${url}: set blobs.s3.accessKeyId and secretAccessKey, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (${message})`,
    );
  }
  if (status === 404 || name === 'NotFound' || name === 'NoSuchBucket') return new RegistryError('INVALID_REQUEST', `the bucket of ${url} does not exist`);
  if (status === 403 || status === 401)
    return new RegistryError('INVALID_REQUEST', `the S3 endpoint refused berth's credentials for ${url} (HTTP ${String(status)})`);
  return null;
}

export async function createS3BlobStore(url: string, settings: S3BlobSettings = {}, options: S3OpenOptions = {}): Promise<BlobStore> {
  const location = parseS3Url(url, options.env ?? process.env);
  if (Boolean(settings.accessKeyId) !== Boolean(settings.secretAccessKey)) {
    throw new RegistryError('INVALID_REQUEST', 'blobs.s3.accessKeyId and blobs.s3.secretAccessKey go together: set both or neither');
  }
  const client = createS3Client(location, settings, { ...CONTROL, ...options });
  const transfers = createS3Client(location, settings, { ...TRANSFER, ...options });
  try {
    await client.send(new HeadBucketCommand({ Bucket: location.bucket }));
  } catch (e) {
    const wrong = configurationError(url, e);
    if (wrong) {
      client.destroy();
      transfers.destroy();
      throw wrong;
    }
  }
  return s3BlobStore({
    client,
    transferClient: transfers,
    bucket: location.bucket,
    prefix: location.prefix,
    redirect: settings.redirect,
    partSize: options.partSize,
    queueSize: options.queueSize,
  });
}
