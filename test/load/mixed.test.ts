// The short mixed load in `npm test`: 200 keep-alive clients over all five dialects against a real berth on the
// embedded default (anonymous OCI calls), then with auth required and every call made by one key, as a CI farm sharing
// one key does. Any 5xx, connection error, unexpected answer or failed push fails it (timings are only printed).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type MixedOptions, problems, runMixed, table } from './mixed-run.ts';

async function check(t: { diagnostic(message: string): void }, options: MixedOptions): Promise<void> {
  const report = await runMixed(options);
  t.diagnostic(table(report));
  assert.deepEqual(problems(report), [], table(report));
  assert.ok(report.pushes.ok >= 30, `only ${report.pushes.ok} pushes:\n${table(report)}`);
  for (const kind of ['oci blob PUT', 'oci manifest DELETE', 'ecr BatchGetImage', 'acr ListAcrImageTags', 'ncr tags', 'swr tags']) {
    assert.ok(
      report.kinds.some((k) => k.kind === kind && k.count > 0),
      `no ${kind} in the mix`,
    );
  }
}

describe('mixed load: 200 keep-alive clients', () => {
  it('embedded default, 6 s of pulls, pushes, lists, deletes and cloud-API calls: no 5xx, no connection error, every push succeeds', async (t) => {
    await check(t, { clients: 200, seconds: 6, backend: 'embedded', auth: 'none' });
  });

  it('auth required and one key for every client (a CI farm), 6 s: every push succeeds, waiting for its share instead of failing', async (t) => {
    await check(t, { clients: 200, seconds: 6, backend: 'embedded', auth: 'required' });
  });
});
