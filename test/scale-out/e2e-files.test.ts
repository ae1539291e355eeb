// The scale-out wrappers find the e2e files by themselves; this checks the leave-out list and the split, so no e2e
// file is silently run on one backend only and no stale entry hides a rename.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { E2E_DIR, e2eFiles, NOT_ON_POSTGRES_S3, share } from './e2e-files.ts';

const WRAPPERS = readdirSync(import.meta.dirname).filter((f) => /^e2e-on-postgres-s3-\d+\.test\.ts$/.test(f));

describe('which e2e files run again on PostgreSQL + S3', () => {
  it('every left-out file exists and says why', () => {
    for (const [file, why] of Object.entries(NOT_ON_POSTGRES_S3)) {
      assert.ok(existsSync(join(E2E_DIR, file)), `${file} is listed in NOT_ON_POSTGRES_S3 but test/e2e has no such file`);
      assert.ok(why.length > 20, `${file}: give a reason, not "${why}"`);
    }
  });

  it('the wrappers together run every other e2e file exactly once', () => {
    assert.equal(WRAPPERS.length, 2, `expected 2 wrapper files, found ${WRAPPERS.join(', ')}`);
    const all = e2eFiles();
    assert.ok(all.length > 30, `found only ${all.length} e2e files in ${E2E_DIR}`);
    const parts = WRAPPERS.map((_, i) => share(i + 1, WRAPPERS.length));
    const run = parts.flat();
    assert.equal(new Set(run).size, run.length, 'a file is in two wrappers');
    for (const file of all) {
      assert.ok(
        run.includes(file) !== file in NOT_ON_POSTGRES_S3,
        `${file} must be either run on PostgreSQL + S3 or listed as left out (not both, not neither)`,
      );
    }
    for (const p of parts) assert.ok(Math.abs(p.length - run.length / parts.length) <= 1, `unbalanced split: ${parts.map((x) => x.length).join(' / ')}`);
  });

  it('a new e2e file lands in a wrapper without anyone listing it', () => {
    const files = ['a.test.ts', 'b.test.ts', 'brand-new.test.ts', 'replicas.test.ts'];
    assert.deepEqual([...share(1, 2, files), ...share(2, 2, files)].sort(), ['a.test.ts', 'b.test.ts', 'brand-new.test.ts']);
  });
});
