// Public surface of the S3 blob adapter.

export { createS3Client, type S3Tuning } from './client.ts';
export { parseS3Url, type S3Location } from './location.ts';
export { createS3BlobStore, type S3BlobSettings, type S3OpenOptions } from './open.ts';
export { type S3StoreOptions, s3BlobStore } from './s3-blob-store.ts';
