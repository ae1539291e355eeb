// The push paths GetArtifactRepositoryCredentials reports, from each kind of grant a key can hold.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ANONYMOUS, ANONYMOUS_ADMIN } from '../../../auth/index.ts';
import { pushResources } from './credentials.ts';

const HOST = '127.0.0.1:5000';

describe('pushResources', () => {
  it('maps "*", "team/*" and exact grants with pull and push (or admin) to paths; pull-only, push-only and delete-only grants give none', () => {
    const principal = {
      kind: 'key' as const,
      keyId: 'BK1',
      grants: [
        { repositories: 'team/*', actions: ['pull' as const, 'push' as const] },
        { repositories: 'ops/tool', actions: ['admin' as const] },
        { repositories: 'read/*', actions: ['pull' as const] },
        { repositories: 'gone/*', actions: ['delete' as const] },
        { repositories: 'team/*', actions: ['push' as const] },
      ],
    };
    assert.deepEqual(pushResources(principal, HOST, 'cn-hangzhou'), [
      { RegionId: 'cn-hangzhou', RepositoryName: 'team', Path: `${HOST}/team` },
      { RegionId: 'cn-hangzhou', RepositoryName: 'ops/tool', Path: `${HOST}/ops/tool` },
    ]);
    assert.deepEqual(pushResources({ kind: 'key', keyId: 'BK2', grants: [{ repositories: '*', actions: ['push', 'pull'] }] }, HOST, 'x-y-1'), [
      { RegionId: 'x-y-1', RepositoryName: '*', Path: HOST },
    ]);
    // A docker push needs pull too: push alone is no place to push to; pull from another grant completes it.
    assert.deepEqual(pushResources({ kind: 'key', keyId: 'BK3', grants: [{ repositories: 'team/*', actions: ['push'] }] }, HOST, 'x-y-1'), []);
    assert.deepEqual(
      pushResources(
        {
          kind: 'key',
          keyId: 'BK4',
          grants: [
            { repositories: 'team/*', actions: ['push'] },
            { repositories: '*', actions: ['pull'] },
          ],
        },
        HOST,
        'x-y-1',
      ),
      [{ RegionId: 'x-y-1', RepositoryName: 'team', Path: `${HOST}/team` }],
    );
  });

  it('gives the whole registry to the anonymous administrator (auth off) and nothing to an anonymous caller', () => {
    assert.deepEqual(pushResources(ANONYMOUS_ADMIN, HOST, 'cn-hangzhou'), [{ RegionId: 'cn-hangzhou', RepositoryName: '*', Path: HOST }]);
    assert.deepEqual(pushResources(ANONYMOUS, HOST, 'cn-hangzhou'), []);
  });
});
