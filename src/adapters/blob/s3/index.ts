// Public surface of the S3 blob adapter.
export { createS3BlobStore, type S3BlobSettings, type S3OpenOptions } from './open.ts';
export { s3BlobStore, type S3StoreOptions } from './s3-blob-store.ts';
export { createS3Client, type S3Tuning } from './client.ts';
export { parseS3Url, type S3Location } from './location.ts';
