// Which end-to-end files the scale-out wrappers run again on PostgreSQL + S3: every test/e2e/*.test.ts found on disk,
// less an explicit list with a reason each, so a new e2e file is on both backends unless someone says why not.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export const E2E_DIR = join(import.meta.dirname, '..', 'e2e');

/** e2e files the wrappers leave out, each with why. test/scale-out/e2e-files.test.ts checks every entry exists. */
export const NOT_ON_POSTGRES_S3: Readonly<Record<string, string>> = {
  'replicas.test.ts': 'starts its own replicas on the backend BERTH_REPLICA_BACKEND names (PostgreSQL + S3 by default)',
  'replicas-torture.test.ts': 'starts its own replicas on the backend BERTH_REPLICA_BACKEND names (PostgreSQL + S3 by default)',
  'replicas-proxy.test.ts': 'tests the test load balancer itself; no berth store is involved',
  'gc-torture.test.ts': 'replicas-torture.test.ts already runs the same torture engine on PostgreSQL + S3; a second minute of it here adds time, not coverage',
};

/** Every test/e2e/*.test.ts file name (not recursive: fixtures/ holds helpers), sorted. */
export function e2eFiles(): string[] {
  return readdirSync(E2E_DIR, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.test.ts'))
    .map((e) => e.name)
    .sort();
}

/**
 * Wrapper `part` of `parts` (1-based): the files to run on PostgreSQL + S3, dealt out alternately in sorted order
 * so the wrappers (which node's runner runs in parallel) get about the same number of files.
 */
export function share(part: number, parts: number, files: readonly string[] = e2eFiles()): string[] {
  return files.filter((f) => !(f in NOT_ON_POSTGRES_S3)).filter((_, i) => i % parts === part - 1);
}
