// The end-to-end suite again, with every berth it starts on PostgreSQL + S3 instead of the embedded stores
// (BERTH_TEST_BACKEND, see test/e2e/harness.ts): the scale-out stores must pass what the embedded ones pass. Half 2 of 2.
process.env.BERTH_TEST_BACKEND = 'postgres-s3';

const FILES = [
  'acr-sdk.test.ts',
  'auth.test.ts',
  'berth-api-bad-input.test.ts',
  'deletion-gc.test.ts',
  'deletion-restore.test.ts',
  'ecr-cli.test.ts',
  'ecr-sdk-repository-flow.test.ts',
  'ncr-auth.test.ts',
  'oci-bad-input.test.ts',
  'oci-blobs.test.ts',
  'oci-delete.test.ts',
  'oci-manifests.test.ts',
  'oci-tags.test.ts',
  'podman.test.ts',
  'skopeo.test.ts',
  'swr-raw.test.ts',
];

for (const file of FILES) await import(new URL(`../e2e/${file}`, import.meta.url).href);
