// Retention preview and run over the real embedded stores with a clock the test moves: a run at the preview's clock
// expires exactly the previewed images, a pin added after the preview wins (at evaluation and at delete time), and
// everything a run deletes is restorable and audited with its policy and rule.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openTestRegistry, pushBlob, pushImage, TEST_ACTOR, type TestRegistry } from '../../../adapters/test-helpers.ts';
import { RegistryError } from '../../errors.ts';
import type { Decision } from '../../lifecycle/decision.ts';
import { DAY_MS } from '../../lifecycle/rules.ts';
import type { Digest } from '../../model/digest.ts';
import { createPin } from '../pins.ts';
import { restore } from '../restore.ts';
import { previewLifecycle, runLifecycle } from './apply.ts';
import { deleteLifecyclePolicy, effectivePolicy, putLifecyclePolicy } from './policies.ts';
import { governedRepositories, runLifecycleEverywhere } from './run-all.ts';

const START = new Date('2026-03-01T00:00:00Z');
const OLDER_THAN_7_DAYS = {
  family: 'expire',
  rules: [{ priority: 1, tagStatus: 'any', count: { type: 'sinceImagePushed', days: 7 } }],
};

/** Pushes one image per age (days before the end), oldest first; returns their digests; the clock ends at START + span. */
async function pushAged(reg: TestRegistry, repository: string, ages: number[]): Promise<Digest[]> {
  const span = Math.max(...ages);
  const config = await pushBlob(reg.deps, repository, `config-${repository}`);
  const out: Digest[] = [];
  for (const [i, age] of ages.entries()) {
    reg.clock.set(START.getTime() + (span - age) * DAY_MS);
    out.push(await pushImage(reg.deps, repository, `v${i}`, config, [], { annotations: { n: String(i) } }));
  }
  reg.clock.set(START.getTime() + span * DAY_MS);
  return out;
}

const verdicts = (ds: Decision[]): string[] => ds.map((d) => `${d.tags.join(',')}:${d.verdict}:${d.by.kind}`);

describe('lifecycle preview and run', () => {
  let reg: TestRegistry;
  before(async () => {
    reg = await openTestRegistry({ start: START, restoreWindowMs: 30 * DAY_MS });
  });
  after(async () => reg.close());

  it('runs at the preview clock expire exactly the previewed images, restorably and audited with the rule', async () => {
    const r = 'team/exact';
    const images = await pushAged(reg, r, [10, 9, 7, 3, 0]);
    await putLifecyclePolicy(reg.deps, 'repository', r, OLDER_THAN_7_DAYS, TEST_ACTOR);
    const now = reg.clock.now();
    const preview = await previewLifecycle(reg.deps, r, now);
    assert.deepEqual(verdicts(preview.decisions), ['v0:expire:rule', 'v1:expire:rule'], 'exactly 7 days is kept');
    assert.deepEqual(preview.counts, { images: 5, expire: 2, untag: 0, keep: 3, pinned: 0 });
    const run = await runLifecycle(reg.deps, r, TEST_ACTOR, { now });
    assert.deepEqual(
      run.expired,
      preview.decisions.map((d) => d.digest),
    );
    assert.deepEqual([run.refused, run.vanished], [[], []]);
    for (const d of images.slice(0, 2)) assert.equal(await reg.deps.meta.getManifest(r, { digest: d }), null);
    for (const d of images.slice(2)) assert.ok(await reg.deps.meta.getManifest(r, { digest: d }));
    const events = await reg.deps.meta.listAudit({ limit: 2, repository: r, action: 'manifest.delete' });
    assert.deepEqual(events.map((e) => e.detail?.lifecycle).reverse(), [
      { policy: `repository:${r}`, family: 'expire', priority: 1, verdict: 'expire' },
      { policy: `repository:${r}`, family: 'expire', priority: 1, verdict: 'expire' },
    ]);
    assert.ok((await reg.deps.meta.findLifecyclePolicy('repository', r))?.evaluatedAt, 'the run is recorded on the policy');
    const back = await restore(reg.deps, r, images[0]!, TEST_ACTOR);
    assert.deepEqual(back.tags, ['v0'], 'restorable with its tag');
    assert.deepEqual((await runLifecycle(reg.deps, r, TEST_ACTOR, { now })).expired, [images[0]], 'and expired again by the next run');
  });

  it('a pin added after the preview keeps its image; the preview shows it as kept: pinned with id and reason', async () => {
    const r = 'team/pinned';
    const images = await pushAged(reg, r, [20, 15, 1]);
    await putLifecyclePolicy(reg.deps, 'repository', r, OLDER_THAN_7_DAYS, TEST_ACTOR);
    const now = reg.clock.now();
    assert.deepEqual(verdicts((await previewLifecycle(reg.deps, r, now)).decisions), ['v0:expire:rule', 'v1:expire:rule']);
    const pin = await createPin(reg.deps, { repository: r, reference: 'v0', reason: 'prod runs it' }, TEST_ACTOR);
    const again = await previewLifecycle(reg.deps, r, now);
    assert.deepEqual(verdicts(again.decisions), ['v0:keep:pinned', 'v1:expire:rule']);
    assert.deepEqual(again.decisions[0]!.by, { kind: 'pinned', pins: [{ id: pin.id, reason: 'prod runs it' }] });
    const run = await runLifecycle(reg.deps, r, TEST_ACTOR, { now });
    assert.deepEqual(run.expired, [images[1]]);
    assert.equal(run.counts.pinned, 1);
    assert.ok(await reg.deps.meta.getManifest(r, { digest: images[0]! }), 'the pinned image stays');
  });

  it('re-checks pins at delete time: a pin created after the evaluation refuses the delete and is reported', async () => {
    const r = 'team/race';
    const images = await pushAged(reg, r, [30, 1]);
    await putLifecyclePolicy(reg.deps, 'repository', r, OLDER_THAN_7_DAYS, TEST_ACTOR);
    const pin = await createPin(reg.deps, { repository: r, reference: 'v0', reason: 'deployed just now' }, TEST_ACTOR);
    // The evaluation's view of pins is stale (as if taken before the pin): only the delete's own check can catch it.
    const stale = { ...reg.deps, meta: Object.assign(Object.create(reg.deps.meta) as typeof reg.deps.meta, { lifecycleProtection: async () => [] }) };
    const run = await runLifecycle(stale, r, TEST_ACTOR);
    assert.deepEqual(run.expired, []);
    assert.deepEqual(run.refused, [{ digest: images[0], pins: [{ id: pin.id, reason: 'deployed just now' }] }]);
    assert.ok(await reg.deps.meta.getManifest(r, { digest: images[0]! }));
  });

  it('a namespace default applies where a repository has none; its own policy wins; the source is named', async () => {
    const [own, inherits] = ['ns1/own', 'ns1/inherits'];
    await pushAged(reg, own, [30, 0]);
    await pushAged(reg, inherits, [30, 0]);
    await putLifecyclePolicy(reg.deps, 'namespace', 'ns1', OLDER_THAN_7_DAYS, TEST_ACTOR);
    await putLifecyclePolicy(reg.deps, 'repository', own, { family: 'keep', rules: [{ kind: 'tag_rule', n: 5 }] }, TEST_ACTOR);
    assert.equal((await effectivePolicy(reg.deps, own))?.source, 'repository');
    assert.deepEqual([(await effectivePolicy(reg.deps, inherits))?.source, (await effectivePolicy(reg.deps, inherits))?.stored.name], ['namespace', 'ns1']);
    assert.equal(await effectivePolicy(reg.deps, 'solo'), null);
    assert.ok((await governedRepositories(reg.deps)).includes(inherits));
    const all = await runLifecycleEverywhere(reg.deps, TEST_ACTOR);
    const byRepo = Object.fromEntries(all.runs.map((x) => [x.repository, x.expired.length]));
    assert.deepEqual([byRepo[own], byRepo[inherits]], [0, 1]);
    await deleteLifecyclePolicy(reg.deps, 'repository', own, TEST_ACTOR);
    assert.equal((await effectivePolicy(reg.deps, own))?.source, 'namespace');
    await assert.rejects(
      deleteLifecyclePolicy(reg.deps, 'repository', own, TEST_ACTOR),
      (e: unknown) => e instanceof RegistryError && e.code === 'NAME_UNKNOWN',
    );
  });

  it('refuses invalid policies before storing, naming the field', async () => {
    for (const [body, field] of [
      [{ family: 'nope', rules: [] }, 'family'],
      [{ family: 'expire', rules: [{ priority: 0, tagStatus: 'any', count: { type: 'imageCountMoreThan', n: 1 } }] }, 'rules[0].priority'],
      [{ family: 'expire', rules: [{ priority: 1, tagStatus: 'tagged', count: { type: 'imageCountMoreThan', n: 1 } }] }, undefined],
      [{ family: 'keep', rules: [{ kind: 'date_rule', days: 'x' }] }, 'rules[0].days'],
    ] as const) {
      await assert.rejects(putLifecyclePolicy(reg.deps, 'repository', 'team/bad', body, TEST_ACTOR), (e: unknown) => {
        assert.ok(e instanceof RegistryError && e.code === 'INVALID_REQUEST', String(e));
        if (field !== undefined) assert.equal(e.detail?.field, field);
        return true;
      });
    }
    assert.equal(await reg.deps.meta.findLifecyclePolicy('repository', 'team/bad'), null);
  });

  it('warns when a pull-age rule expires an image no one pulled since recording began; batches report progress', async () => {
    const r = 'team/pulls';
    const images = await pushAged(reg, r, [400, 300, 200, 1]);
    await reg.deps.meta.recordPulls([{ repository: r, digest: images[1]!, at: reg.clock.now() }]);
    await putLifecyclePolicy(
      reg.deps,
      'repository',
      r,
      { family: 'expire', rules: [{ priority: 1, tagStatus: 'any', count: { type: 'sinceImagePulled', days: 30 } }] },
      TEST_ACTOR,
    );
    // Recording began before these pushes (the migration records its own time; set here to the test's epoch).
    reg.sql('UPDATE pull_recording SET started_at = ?', START.getTime());
    const preview = await previewLifecycle(reg.deps, r);
    assert.deepEqual(verdicts(preview.decisions), ['v0:expire:rule', 'v2:expire:rule']);
    assert.ok(preview.decisions.every((d) => d.warnings.some((w) => w.code === 'never-pulled-since-recording')));
    const seen: number[] = [];
    const run = await runLifecycle(reg.deps, r, TEST_ACTOR, { batch: 1, onProgress: (p) => seen.push(p.done) });
    assert.equal(run.expired.length, 2);
    assert.ok(seen.length >= 3 && seen.at(-1) === 4, `progress ${seen.join(',')}`);
  });
});
