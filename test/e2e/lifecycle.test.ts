// Retention policies against a real berth process: put a policy, preview, pin one previewed image, run, and exactly
// the previewed images but the pinned one are gone, restorable with `berth restore`; only admin may change a policy.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { api, assertApiError, createPin, okJson } from './berth-api-helpers.ts';
import { runBerth } from './harness.ts';
import { AuthClient, createKey, type KeyedBerth, keyBasic, startKeyedBerth } from './key-helpers.ts';
import { ACCEPT_MANIFESTS, pushImage, randomHex } from './oci-helpers.ts';

const KEEP_TWO = { family: 'expire', rules: [{ priority: 1, tagStatus: 'any', count: { type: 'imageCountMoreThan', n: 2 } }] };

interface DecisionJson {
  digest: string;
  tags: string[];
  verdict: string;
  summary: string;
  by: { kind: string; pins?: Array<{ id: string; reason: string }> };
}

describe('retention policies over the berth API (auth required)', () => {
  let e: KeyedBerth;
  const ns = `life${randomHex()}`;
  before(async () => {
    e = await startKeyedBerth('lifecycle-admin');
  });
  after(async () => e?.dispose());

  /** Pushes tags v0..v(n-1), a few milliseconds apart so push order is unambiguous; returns their digests. */
  async function pushSeries(repo: string, n: number): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      out.push((await pushImage(e.oci, repo, `v${i}`)).digest);
      await sleep(5);
    }
    return out;
  }

  it('put, preview, pin one, run: exactly the previewed minus the pinned go, and come back with berth restore', async () => {
    const repo = `${ns}/app`;
    const digests = await pushSeries(repo, 5);
    okJson(await api(e.oci, 'PUT', `/berth/v1/repositories/${repo}/lifecycle`, KEEP_TWO));
    const shown = okJson<{ source: string; policy: unknown }>(await api(e.oci, 'GET', `/berth/v1/repositories/${repo}/lifecycle`));
    assert.equal(shown.source, 'repository');
    const preview = okJson<{ decisions: DecisionJson[]; counts: { expire: number } }>(
      await api(e.oci, 'POST', `/berth/v1/repositories/${repo}/lifecycle/preview`),
    );
    const previewed = preview.decisions.filter((d) => d.verdict === 'expire').map((d) => d.digest);
    assert.deepEqual(previewed, digests.slice(0, 3), 'the three oldest');
    const pin = await createPin(e.oci, repo, 'v1', 'canary runs it');
    const again = okJson<{ decisions: DecisionJson[] }>(await api(e.oci, 'POST', `/berth/v1/repositories/${repo}/lifecycle/preview`));
    const kept = again.decisions.find((d) => d.digest === digests[1]);
    assert.equal(kept?.summary, `kept: pinned (${pin.id}, canary runs it)`);

    const run = okJson<{ expired: string[]; refused: unknown[] }>(await api(e.oci, 'POST', `/berth/v1/repositories/${repo}/lifecycle/run`));
    assert.deepEqual(run.expired.slice().sort(), [digests[0], digests[2]].sort());
    for (const [i, d] of digests.entries()) {
      const res = await e.oci.get(`/v2/${repo}/manifests/${d}`, { headers: { accept: ACCEPT_MANIFESTS } });
      assert.equal(res.status, i === 0 || i === 2 ? 404 : 200, `v${i}: ${res.describe()}`);
    }
    const audit = okJson<{ events: Array<{ action: string; target: string; detail: { lifecycle?: { policy: string; priority: number } } }> }>(
      await api(e.oci, 'GET', `/berth/v1/audit?repository=${repo}&action=manifest.delete`),
    );
    assert.deepEqual(
      audit.events.map((ev) => ev.detail.lifecycle),
      [
        { policy: `repository:${repo}`, family: 'expire', priority: 1, verdict: 'expire' },
        { policy: `repository:${repo}`, family: 'expire', priority: 1, verdict: 'expire' },
      ],
    );
    const restored = await runBerth(['restore', `${repo}@${digests[0]}`, '--data', e.berth.dataDir]);
    assert.equal(restored.code, 0, restored.stderr);
    assert.equal((await e.oci.get(`/v2/${repo}/manifests/v0`, { headers: { accept: ACCEPT_MANIFESTS } })).status, 200, 'restored with its tag');
  });

  it('a namespace default governs repositories without their own; GET names the source', async () => {
    const repo = `${ns}/inherits`;
    await pushSeries(repo, 1);
    const none = okJson<{ source: string | null }>(await api(e.oci, 'GET', `/berth/v1/repositories/${ns}x/solo/lifecycle`));
    assert.equal(none.source, null);
    okJson(await api(e.oci, 'PUT', `/berth/v1/namespaces/${ns}/lifecycle`, { family: 'keep', rules: [{ kind: 'tag_rule', n: 10 }] }));
    const shown = okJson<{ source: string; namespace: string; policy: { family: string } }>(
      await api(e.oci, 'GET', `/berth/v1/repositories/${repo}/lifecycle`),
    );
    assert.deepEqual([shown.source, shown.namespace, shown.policy.family], ['namespace', ns, 'keep']);
    okJson(await api(e.oci, 'DELETE', `/berth/v1/namespaces/${ns}/lifecycle`));
    assertApiError(await api(e.oci, 'DELETE', `/berth/v1/namespaces/${ns}/lifecycle`), 404, 'NAME_UNKNOWN');
  });

  it('changing a policy needs admin on the repository; a bad policy is a 400 naming the field', async () => {
    const repo = `${ns}/rights`;
    await pushSeries(repo, 1);
    const writer = await createKey(e.berth, '--name', 'writer', '--grant', `${ns}/*:pull,push,delete`);
    const w = new AuthClient(e.berth.url, keyBasic(writer));
    assertApiError(await api(w, 'PUT', `/berth/v1/repositories/${repo}/lifecycle`, KEEP_TWO), 403, 'DENIED');
    assertApiError(await api(w, 'PUT', `/berth/v1/namespaces/${ns}/lifecycle`, KEEP_TWO), 403, 'DENIED');
    okJson(await api(w, 'GET', `/berth/v1/repositories/${repo}/lifecycle`));
    okJson(await api(w, 'POST', `/berth/v1/repositories/${repo}/lifecycle/preview`));
    const bad = assertApiError(
      await api(e.oci, 'PUT', `/berth/v1/repositories/${repo}/lifecycle`, {
        family: 'expire',
        rules: [{ priority: 1, tagStatus: 'any', count: { type: 'imageCountMoreThan', n: 0 } }],
      }),
      400,
      'INVALID_REQUEST',
    );
    assert.match(bad.error.message, /count\.n/);
    okJson(await api(e.oci, 'PUT', `/berth/v1/repositories/${repo}/lifecycle`, KEEP_TWO));
    assertApiError(await api(w, 'DELETE', `/berth/v1/repositories/${repo}/lifecycle`), 403, 'DENIED');
    okJson(await api(e.oci, 'DELETE', `/berth/v1/repositories/${repo}/lifecycle`));
  });

  it('the CLI puts, lists, previews (run --dry-run), runs and removes a policy', async () => {
    const repo = `${ns}/cli`;
    const digests = await pushSeries(repo, 4);
    const file = join(e.berth.dataDir, 'policy.json');
    await writeFile(file, JSON.stringify(KEEP_TWO));
    const cli = (...args: string[]) => runBerth(['lifecycle', ...args, '--data', e.berth.dataDir]);
    const put = await cli('put', repo, file);
    assert.equal(put.code, 0, put.stderr);
    assert.match(put.stdout, /stored the expire policy \(1 rule\(s\)\)/);
    const ls = await cli('ls', '--json');
    assert.ok(
      (JSON.parse(ls.stdout) as { policies: Array<{ name: string }> }).policies.some((p) => p.name === repo),
      ls.stdout,
    );
    const one = await cli('ls', repo);
    assert.match(one.stdout, new RegExp(`^${repo}: repository policy`));
    const dry = await cli('run', '--repository', repo, '--dry-run', '--json');
    assert.equal(dry.code, 0, dry.stderr);
    const previewed = (JSON.parse(dry.stdout) as { previews: Array<{ decisions: DecisionJson[] }> }).previews[0]!.decisions.map((d) => d.digest);
    assert.deepEqual(previewed, digests.slice(0, 2));
    const text = await cli('run', '--repository', repo, '--dry-run');
    assert.match(text.stdout, /2 to expire, 0 to untag, 2 kept \(0 pinned\) of 4/);
    const run = await cli('run', '--repository', repo, '--json');
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual((JSON.parse(run.stdout) as { runs: Array<{ expired: string[] }> }).runs[0]!.expired, previewed);
    assert.equal((await cli('rm', repo)).code, 0);
    const gone = await cli('rm', repo);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /no repository retention policy/);
  });
});
