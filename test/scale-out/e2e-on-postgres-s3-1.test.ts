// The end-to-end suite again, with every berth it starts on PostgreSQL + S3 instead of the embedded stores
// (BERTH_TEST_BACKEND, see test/e2e/harness.ts): the scale-out stores must pass what the embedded ones pass. Half 1 of 2.
process.env.BERTH_TEST_BACKEND = 'postgres-s3';

const FILES = [
  'acr-idempotency.test.ts',
  'acr-signature.test.ts',
  'bad-url.test.ts',
  'cli.test.ts',
  'deletion-pins.test.ts',
  'dialects-one-model.test.ts',
  'ecr-sdk-admin.test.ts',
  'ecr-sigv4.test.ts',
  'ncr-repository-flow.test.ts',
  'oci-base.test.ts',
  'oci-chunked.test.ts',
  'oci-fuzz.test.ts',
  'oci-referrers.test.ts',
  'operations.test.ts',
  's3-redirect.test.ts',
  'swr-auth.test.ts',
  'swr-sdk-repository-flow.test.ts',
];

for (const file of FILES) await import(new URL(`../e2e/${file}`, import.meta.url).href);
