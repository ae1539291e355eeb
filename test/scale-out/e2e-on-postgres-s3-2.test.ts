// The end-to-end suite again, with every berth it starts on PostgreSQL + S3 instead of the embedded stores
// (BERTH_TEST_BACKEND, see test/e2e/harness.ts): the scale-out stores must pass what the embedded ones pass. Part 2 of 2:
// which files, and which are left out and why, is in ./e2e-files.ts.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { E2E_DIR, share } from './e2e-files.ts';

process.env.BERTH_TEST_BACKEND = 'postgres-s3';

for (const file of share(2, 2)) await import(pathToFileURL(join(E2E_DIR, file)).href);
