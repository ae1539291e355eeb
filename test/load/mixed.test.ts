// The short mixed load in `npm test`: 200 keep-alive clients over all five dialects for 10 s against a real berth on
// the embedded default; any 5xx, connection error, unexpected answer or failed push fails it (timings are only printed).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { problems, runMixed, table } from './mixed-run.ts';

describe('mixed load: 200 keep-alive clients', () => {
  it('pulls, pushes, lists, deletes and cloud-API calls for 10 s: no 5xx, no connection error, every push succeeds', async (t) => {
    const report = await runMixed({ clients: 200, seconds: 10, backend: 'embedded', auth: 'none' });
    t.diagnostic(table(report));
    assert.deepEqual(problems(report), [], table(report));
    assert.ok(report.pushes.ok >= 50, `only ${report.pushes.ok} pushes in 10 s:\n${table(report)}`);
    for (const kind of ['oci blob PUT', 'oci manifest DELETE', 'ecr BatchGetImage', 'acr ListAcrImageTags', 'ncr tags', 'swr tags']) {
      assert.ok(
        report.kinds.some((k) => k.kind === kind && k.count > 0),
        `no ${kind} in the mix`,
      );
    }
  });
});
