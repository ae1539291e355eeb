import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRegistryError } from '../../core/index.ts';
import { positiveIntParam } from './input.ts';
import { matchBerthRoute } from './paths.ts';

describe('berth API paths', () => {
  it('matches every route on the raw path, with repository names that contain "/"', () => {
    assert.deepEqual(matchBerthRoute('/berth/v1/pins'), { kind: 'pins' });
    assert.deepEqual(matchBerthRoute('/berth/v1/pins/pin-abc'), { kind: 'pin', id: 'pin-abc' });
    assert.deepEqual(matchBerthRoute('/berth/v1/repositories/team/a/b/deleted-tags'), { kind: 'deleted-tags', name: 'team/a/b' });
    assert.deepEqual(matchBerthRoute('/berth/v1/restore'), { kind: 'restore' });
    assert.deepEqual(matchBerthRoute('/berth/v1/gc'), { kind: 'gc' });
    assert.deepEqual(matchBerthRoute('/berth/v1/audit'), { kind: 'audit' });
    assert.deepEqual(matchBerthRoute('/berth/v1/repositories/team/app/lifecycle'), { kind: 'lifecycle', name: 'team/app' });
    assert.deepEqual(matchBerthRoute('/berth/v1/repositories/team/app/lifecycle/preview'), { kind: 'lifecycle-preview', name: 'team/app' });
    assert.deepEqual(matchBerthRoute('/berth/v1/repositories/team/lifecycle/lifecycle/run'), { kind: 'lifecycle-run', name: 'team/lifecycle' });
    assert.deepEqual(matchBerthRoute('/berth/v1/namespaces/team/lifecycle'), { kind: 'namespace-lifecycle', name: 'team' });
    assert.deepEqual(matchBerthRoute('/berth/v1/namespaces'), { kind: 'namespaces' });
    assert.deepEqual(matchBerthRoute('/berth/v1/repositories'), { kind: 'repositories' });
    assert.deepEqual(matchBerthRoute('/berth/v1/repositories/team/app/tags'), { kind: 'tags', name: 'team/app' });
    assert.deepEqual(matchBerthRoute('/berth/v1/repositories/team/app/manifests'), { kind: 'manifests', name: 'team/app' });
    assert.deepEqual(matchBerthRoute('/berth/v1/repositories/team/app/manifests/sha256:ab'), { kind: 'manifest', name: 'team/app', digest: 'sha256:ab' });
    assert.deepEqual(matchBerthRoute('/berth/v1/repositories/a/manifests/tags'), { kind: 'tags', name: 'a/manifests' });
    assert.deepEqual(matchBerthRoute('/berth/v1/repositories/a/tags/manifests'), { kind: 'manifests', name: 'a/tags' });
    assert.deepEqual(matchBerthRoute('/berth/v1/repositories/a/manifests/deleted-tags'), { kind: 'deleted-tags', name: 'a/manifests' });
    assert.deepEqual(matchBerthRoute('/berth/v1/repositories/team/app/delete-preview'), { kind: 'delete-preview', name: 'team/app' });
    assert.deepEqual(matchBerthRoute('/berth/v1/repositories/team/app/deleted-manifests'), { kind: 'deleted-manifests', name: 'team/app' });
    assert.deepEqual(matchBerthRoute('/berth/v1/repositories/team/app/tags/v1.0'), { kind: 'tag', name: 'team/app', tag: 'v1.0' });
    assert.deepEqual(matchBerthRoute('/berth/v1/repositories/team/app'), { kind: 'repository', name: 'team/app' });
    assert.deepEqual(matchBerthRoute('/berth/v1/repositories/a/tags'), { kind: 'tags', name: 'a' });
    assert.equal(matchBerthRoute('/berth/v1/repositories/a/manifests/sha256:ab/x'), null, 'not a name: no such endpoint');
    assert.equal(matchBerthRoute('/berth/v1/pins/a/b'), null);
    assert.equal(matchBerthRoute('/berth/v1'), null);
  });

  it('matches the console session, key and repository access routes', () => {
    assert.deepEqual(matchBerthRoute('/berth/v1/console/sessions'), { kind: 'console-sessions' });
    assert.deepEqual(matchBerthRoute('/berth/v1/console/sessions/refresh'), { kind: 'console-refresh' });
    assert.deepEqual(matchBerthRoute('/berth/v1/console/session'), { kind: 'console-session' });
    assert.deepEqual(matchBerthRoute('/berth/v1/keys'), { kind: 'keys' });
    assert.deepEqual(matchBerthRoute('/berth/v1/keys/AKIDABC'), { kind: 'key', id: 'AKIDABC' });
    assert.equal(matchBerthRoute('/berth/v1/keys/a/b'), null);
    assert.deepEqual(matchBerthRoute('/berth/v1/repositories/team/app/access'), { kind: 'repository-access', name: 'team/app' });
    assert.deepEqual(matchBerthRoute('/berth/v1/repositories/a/manifests/access'), { kind: 'repository-access', name: 'a/manifests' });
    assert.deepEqual(matchBerthRoute('/berth/v1/repositories/a/access/tags'), { kind: 'tags', name: 'a/access' });
  });

  it('refuses encoded or traversing repository names instead of decoding them', () => {
    for (const path of ['/berth/v1/repositories/a%2Fb/deleted-tags', '/berth/v1/repositories/a/../b/deleted-tags', '/berth/v1/repositories/A/deleted-tags']) {
      assert.throws(
        () => matchBerthRoute(path),
        (e: unknown) => isRegistryError(e) && e.code === 'NAME_INVALID',
        path,
      );
    }
  });

  it('takes only positive whole numbers for paging', () => {
    const q = (s: string) => new URLSearchParams(s);
    assert.equal(positiveIntParam(q('limit=25'), 'limit'), 25);
    assert.equal(positiveIntParam(q(''), 'limit'), undefined);
    for (const bad of ['0', '-1', '1.5', '1e3', 'ten', '', '01']) {
      assert.throws(
        () => positiveIntParam(q(`limit=${bad}`), 'limit'),
        (e: unknown) => isRegistryError(e) && e.code === 'PAGINATION_INVALID',
        bad,
      );
    }
  });
});
