// SWR image retention through the official @huaweicloud/huaweicloud-sdk-swr against a real berth process: create,
// list, show, update and delete one policy per repository, SWR's error objects, and a run whose removals
// ListRetentionHistories then reports (with the retention id, template and Content-Range).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import * as swr from '@huaweicloud/huaweicloud-sdk-swr';
import { api, okJson } from './berth-api-helpers.ts';
import { pushImage } from './oci-helpers.ts';
import { type SwrBerth, sdkRejects, startSwrBerth, swrNamespace } from './swr-helpers.ts';

const rule = (template: string, params: object, selectors: Array<[string, string]>): swr.Rule =>
  new swr.Rule()
    .withTemplate(template)
    .withParams(params)
    .withTagSelectors(selectors.map(([kind, pattern]) => new swr.TagSelector().withKind(kind).withPattern(pattern)));

describe('SWR retention through @huaweicloud/huaweicloud-sdk-swr (auth required)', () => {
  let e: SwrBerth;
  const ns = swrNamespace('ret');
  const repo = `${ns}/app`;
  const digests: Record<string, string> = {};
  before(async () => {
    e = await startSwrBerth();
    // t1..t5, a few milliseconds apart so the tags' push order is unambiguous.
    for (const tag of ['t1', 't2', 't3', 't4', 't5']) {
      digests[tag] = (await pushImage(e.oci, repo, tag)).digest;
      await sleep(5);
    }
  });
  after(async () => e?.dispose());

  const create = (rules: swr.Rule[]) =>
    e.sdk.createRetention(
      new swr.CreateRetentionRequest()
        .withNamespace(ns)
        .withRepository('app')
        .withBody(new swr.CreateRetentionRequestBody().withAlgorithm('or').withRules(rules)),
    );
  const show = (id: number) => e.sdk.showRetention(new swr.ShowRetentionRequest().withNamespace(ns).withRepository('app').withRetentionId(id));
  const list = async (): Promise<unknown[]> => {
    const out = await e.sdk.listRetentions(new swr.ListRetentionsRequest().withNamespace(ns).withRepository('app'));
    assert.ok(Array.isArray(out), 'the SDK hands back the JSON array itself');
    return [...(out as unknown as unknown[])];
  };

  it('create (201 with an id), one per repository (409), list, show, update, a bad body (400); a run and its history; delete', async () => {
    assert.deepEqual(await list(), []);
    await sdkRejects(create([rule('nope_rule', { num: '2' }, [])]), 400, 'SVCSTG.SWR.4000014');
    await sdkRejects(create([rule('tag_rule', { num: '0' }, [])]), 400, 'SVCSTG.SWR.4000014');
    const made = await create([rule('tag_rule', { num: '3' }, [['label', 't1']])]);
    assert.equal(made.httpStatusCode, 201);
    const id = made.id!;
    assert.equal(typeof id, 'number');
    await sdkRejects(create([rule('date_rule', { days: '30' }, [])]), 409, 'SVCSTG.SWR.4090025');
    const shape = (num: string, selectors: Array<{ kind: string; pattern: string }>) => ({
      algorithm: 'or',
      id,
      rules: [{ template: 'tag_rule', params: { num }, tag_selectors: selectors }],
      scope: '',
    });
    assert.deepEqual(await list(), [shape('3', [{ kind: 'label', pattern: 't1' }])]);
    const shown = await show(id);
    assert.deepEqual([shown.httpStatusCode, shown.id, shown.algorithm, shown.rules?.[0]?.template], [200, id, 'or', 'tag_rule']);
    await sdkRejects(show(id + 1000), 404, 'SVCSTG.SWR.4040017');

    const updated = await e.sdk.updateRetention(
      new swr.UpdateRetentionRequest()
        .withNamespace(ns)
        .withRepository('app')
        .withRetentionId(id)
        .withBody(new swr.UpdateRetentionRequestBody().withAlgorithm('or').withRules([rule('tag_rule', { num: '2' }, [['regexp', '^t1$']])])),
    );
    assert.equal(updated.httpStatusCode, 201);
    assert.deepEqual(await list(), [shape('2', [{ kind: 'regexp', pattern: '^t1$' }])]);

    // Keep the two newest tags (t4, t5) and t1, which is excepted (neither counted nor removed): t2 and t3 go.
    const run = okJson<{ expired: string[] }>(await api(e.oci, 'POST', `/berth/v1/repositories/${repo}/lifecycle/run`));
    assert.deepEqual([...run.expired].sort(), [digests.t2, digests.t3].sort());
    const history = await e.sdk.listRetentionHistories(
      new swr.ListRetentionHistoriesRequest().withNamespace(ns).withRepository('app').withFilter('offset::0|limit::10'),
    );
    const log = (history as unknown as { retention_log: Array<Record<string, unknown>> }).retention_log;
    assert.deepEqual(
      log.map((l) => [l.tag, l.namespace, l.repo, l.retention_id, l.rule_type]),
      [
        ['t3', ns, 'app', id, 'tag_rule'],
        ['t2', ns, 'app', id, 'tag_rule'],
      ],
    );
    assert.ok(log.every((l) => typeof l.id === 'number' && /^\d{4}-\d{2}-\d{2}T/.test(String(l.created_at))));
    assert.equal(history.total, 2);
    assert.equal((history as unknown as { 'Content-Range'?: string })['Content-Range'], '0-2/2');
    const second = await e.sdk.listRetentionHistories(
      new swr.ListRetentionHistoriesRequest().withNamespace(ns).withRepository('app').withFilter('offset::1|limit::1'),
    );
    assert.deepEqual(
      (second as unknown as { retention_log: Array<{ tag: string }> }).retention_log.map((l) => l.tag),
      ['t2'],
    );

    const deleted = await e.sdk.deleteRetention(new swr.DeleteRetentionRequest().withNamespace(ns).withRepository('app').withRetentionId(id));
    assert.equal(deleted.httpStatusCode, 200);
    assert.deepEqual(await list(), []);
    await sdkRejects(show(id), 404, 'SVCSTG.SWR.4040017');
    await sdkRejects(
      e.sdk.deleteRetention(new swr.DeleteRetentionRequest().withNamespace(ns).withRepository('app').withRetentionId(id)),
      404,
      'SVCSTG.SWR.4040017',
    );
  });

  it('an unknown repository is 404; an ECR-style policy has no SWR shape and reads as none', async () => {
    await sdkRejects(e.sdk.listRetentions(new swr.ListRetentionsRequest().withNamespace(ns).withRepository('nothing')), 404, 'SVCSTG.SWR.4040004');
    const ecrStyle = { family: 'expire', rules: [{ priority: 1, tagStatus: 'any', count: { type: 'imageCountMoreThan', n: 100 } }] };
    okJson(await api(e.oci, 'PUT', `/berth/v1/repositories/${repo}/lifecycle`, ecrStyle));
    assert.deepEqual(await list(), []);
    await sdkRejects(create([rule('date_rule', { days: '30' }, [])]), 409, 'SVCSTG.SWR.4090025');
  });
});
