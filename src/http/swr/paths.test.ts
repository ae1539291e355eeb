import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSwrUrl, matchSwrRoute } from './paths.ts';

describe('SWR routes and the /v2 prefix shared with OCI', () => {
  it('matches every SWR route from the raw path, with an optional trailing slash', () => {
    assert.deepEqual(matchSwrRoute('/v2/manage/namespaces'), { kind: 'namespaces' });
    assert.deepEqual(matchSwrRoute('/v2/manage/namespaces/ns/'), { kind: 'namespace', namespace: 'ns' });
    assert.deepEqual(matchSwrRoute('/v2/manage/namespaces/ns/repos/team$app'), { kind: 'repo', namespace: 'ns', repository: 'team$app' });
    assert.deepEqual(matchSwrRoute('/v2/manage/namespaces/ns/repos/a/tags/v1'), { kind: 'tag', namespace: 'ns', repository: 'a', tag: 'v1' });
    assert.deepEqual(matchSwrRoute('/v3/manage/namespaces/ns/repos/a/tags'), { kind: 'tagsV3', namespace: 'ns', repository: 'a' });
    assert.deepEqual(matchSwrRoute('/v2/manage/utils/secret'), { kind: 'secret' });
    const retentions = '/v2/manage/namespaces/ns/repos/a/retentions';
    assert.deepEqual(matchSwrRoute(retentions), { kind: 'retentions', namespace: 'ns', repository: 'a' });
    assert.deepEqual(matchSwrRoute(`${retentions}/histories`), { kind: 'retentionHistories', namespace: 'ns', repository: 'a' });
    assert.deepEqual(matchSwrRoute(`${retentions}/12/`), { kind: 'retention', namespace: 'ns', repository: 'a', retentionId: '12' });
    assert.equal(matchSwrRoute('/v2/manage/namespaces/ns/repos/a/b/tags'), null);
  });

  it('gives SWR every /v2/manage path except OCI-shaped ones that are no SWR route', () => {
    for (const url of ['/v2/manage/namespaces?filter=x', '/v2/manage/nothing', '/v3/manage/repos', '/v2/manage/namespaces/ns/repos/a/tags/list']) {
      assert.equal(isSwrUrl(url), true, url);
    }
    for (const url of [
      '/v2/manage/app/manifests/latest',
      '/v2/manage/a/b/blobs/sha256:00',
      '/v2/manage/app/blobs/uploads/',
      '/v2/manage/app/blobs/uploads/abc?x=1',
      '/v2/manage/app/tags/list?n=10',
      '/v2/manage/app/referrers/sha256:00',
      '/v2/team/app/manifests/latest',
      '/v2/',
      '/',
      '/v2/managed/x',
    ]) {
      assert.equal(isSwrUrl(url), false, url);
    }
  });
});
