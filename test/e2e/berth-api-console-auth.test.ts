// Web console sessions and key management against a real berth: a session starts only from an access key, its token
// opens the berth API and nothing else, dies with its key, and admins manage keys whose secrets are shown once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import { api, assertApiError, okJson } from './berth-api-helpers.ts';
import { ecrClient } from './ecr-helpers.ts';
import { AuthClient, basic, createKey, type KeyedBerth, keyBasic, startKeyedBerth } from './key-helpers.ts';
import { pushImage, randomHex } from './oci-helpers.ts';

interface Login {
  token: string;
  expiresAt: string;
  refreshBefore: string;
  session: { keyId: string; keyName: string; admin: boolean; endsAt: string };
}

interface KeyJson {
  id: string;
  name: string;
  grants: Array<{ repositories: string; actions: string[] }>;
  admin: boolean;
  createdAt: string;
}

describe('berth API: console sessions and keys', () => {
  let k: KeyedBerth;
  const ns = `con${randomHex(4)}`;
  const repo = `${ns}/app`;
  const hiddenRepo = `${ns}x/secret`;
  before(async () => {
    k = await startKeyedBerth('console-admin', { env: { BERTH_CONSOLE_SESSION_TTL: '10m' } });
    await pushImage(k.oci, repo, 'v1');
    await pushImage(k.oci, hiddenRepo, 'v1');
  });
  after(async () => k?.dispose());

  const bearer = (token: string) => new AuthClient(k.berth.url, `Bearer ${token}`);
  const login = async (authorization: string): Promise<Login> =>
    okJson<Login>(await api(new AuthClient(k.berth.url, authorization), 'POST', '/berth/v1/console/sessions'), 201);

  it('logs in with Basic, and the token works on /berth/v1 until the configured lifetime', async () => {
    const before = Date.now();
    const session = await login(keyBasic(k.admin));
    assert.deepEqual(session.session.keyId, k.admin.accessKeyId);
    assert.equal(session.session.keyName, 'console-admin');
    assert.equal(session.session.admin, true);
    const expires = Date.parse(session.expiresAt);
    assert.ok(Math.abs(expires - before - 600_000) < 5_000, `console.sessionTtl (10m) sets the lifetime: ${session.expiresAt}`);
    assert.ok(Date.parse(session.refreshBefore) < expires && Date.parse(session.refreshBefore) > before);
    assert.ok(Math.abs(Date.parse(session.session.endsAt) - before - 12 * 3_600_000) < 5_000, 'the default maximum age is 12h');
    const c = bearer(session.token);
    const repos = okJson<{ repositories: Array<{ name: string }> }>(await api(c, 'GET', '/berth/v1/repositories'));
    assert.ok(repos.repositories.some((r) => r.name === repo));
    const me = okJson<{ session: Login['session'] & { expiresAt: string } }>(await api(c, 'GET', '/berth/v1/console/session'));
    assert.equal(me.session.keyId, k.admin.accessKeyId);
    assert.equal(me.session.expiresAt, session.expiresAt);
    const refreshed = okJson<Login>(await api(c, 'POST', '/berth/v1/console/sessions/refresh'), 201);
    assert.notEqual(refreshed.token, session.token);
    assert.equal(refreshed.session.endsAt, session.session.endsAt, 'a refresh continues the session, its maximum age unchanged');
    assert.equal((await api(bearer(refreshed.token), 'GET', '/berth/v1/keys')).status, 200);
  });

  it('the console token is refused on /v2 and on a cloud dialect (SWR X-Auth-Token)', async () => {
    const { token } = await login(keyBasic(k.admin));
    assert.equal((await bearer(token).get(`/v2/${repo}/manifests/v1`)).status, 401);
    assert.equal((await bearer(token).get('/v2/_catalog')).status, 401);
    assert.equal((await new AuthClient(k.berth.url, basic('AWS', token)).get(`/v2/${repo}/manifests/v1`)).status, 401, 'nor as a login password');
    const swr = await k.raw.get(`/v2/manage/namespaces/${ns}`, { headers: { 'x-auth-token': token } });
    assert.equal(swr.status, 401, swr.describe());
  });

  it('a registry token cannot start, refresh or show a console session', async () => {
    const issued = await fetch(`${k.berth.url}/token?service=berth&scope=repository:${repo}:pull`, { headers: { authorization: keyBasic(k.admin) } });
    const { token } = (await issued.json()) as { token: string };
    assert.equal((await bearer(token).get(`/v2/${repo}/manifests/v1`)).status, 200, 'the control: it is a working registry token');
    assertApiError(await api(bearer(token), 'POST', '/berth/v1/console/sessions/refresh'), 401, 'UNAUTHORIZED');
    assertApiError(await api(bearer(token), 'POST', '/berth/v1/console/sessions'), 401, 'UNAUTHORIZED');
    assertApiError(await api(bearer(token), 'GET', '/berth/v1/console/session'), 401, 'UNAUTHORIZED');
    const session = await login(keyBasic(k.admin));
    assertApiError(await api(bearer(session.token), 'POST', '/berth/v1/console/sessions'), 401, 'UNAUTHORIZED');
    assertApiError(await api(k.raw, 'POST', '/berth/v1/console/sessions'), 401, 'UNAUTHORIZED');
  });

  it('revoking a key kills its console token at once; a key cannot revoke itself', async () => {
    const other = await createKey(k.berth, '--name', 'doomed', '--admin');
    const { token } = await login(keyBasic(other));
    const c = bearer(token);
    assert.equal((await api(c, 'GET', '/berth/v1/repositories')).status, 200);
    assertApiError(await api(c, 'DELETE', `/berth/v1/keys/${other.accessKeyId}`), 400, 'INVALID_REQUEST');
    const revoked = okJson<{ key: KeyJson }>(await api(k.oci, 'DELETE', `/berth/v1/keys/${other.accessKeyId}`));
    assert.equal(revoked.key.id, other.accessKeyId);
    assertApiError(await api(c, 'GET', '/berth/v1/repositories'), 401, 'UNAUTHORIZED');
    assertApiError(await api(c, 'POST', '/berth/v1/console/sessions/refresh'), 401, 'UNAUTHORIZED');
    assertApiError(await api(k.oci, 'DELETE', `/berth/v1/keys/${other.accessKeyId}`), 400, 'INVALID_REQUEST');
    const audit = okJson<{ events: Array<{ action: string; principal: string; dialect: string; target: string }> }>(
      await api(k.oci, 'GET', '/berth/v1/audit?action=key.delete&limit=1'),
    );
    assert.deepEqual(audit.events[0], { ...audit.events[0], action: 'key.delete', principal: k.admin.accessKeyId, dialect: 'api', target: other.accessKeyId });
  });

  it('only admins list keys; a new key is shown with its secret once and works for docker-style Basic on /v2', async () => {
    const reader = await createKey(k.berth, '--name', 'reader', '--grant', `${ns}/*:pull`);
    const readerSession = await login(keyBasic(reader));
    assert.equal(readerSession.session.admin, false);
    assertApiError(await api(bearer(readerSession.token), 'GET', '/berth/v1/keys'), 403, 'DENIED');
    assertApiError(await api(new AuthClient(k.berth.url, keyBasic(reader)), 'POST', '/berth/v1/keys', { name: 'x', admin: true }), 403, 'DENIED');

    const admin = bearer((await login(keyBasic(k.admin))).token);
    const res = await api(admin, 'POST', '/berth/v1/keys', { name: 'ci-push', grants: [{ repositories: `${ns}/*`, actions: ['pull', 'push'] }] });
    const created = okJson<{ key: KeyJson; secret: string }>(res, 201);
    assert.equal(res.header('location'), `/berth/v1/keys/${created.key.id}`);
    assert.deepEqual(
      { name: created.key.name, grants: created.key.grants, admin: created.key.admin },
      { name: 'ci-push', grants: [{ repositories: `${ns}/*`, actions: ['pull', 'push'] }], admin: false },
    );
    const pusher = new AuthClient(k.berth.url, basic(created.key.id, created.secret));
    assert.equal((await pusher.get(`/v2/${repo}/manifests/v1`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } })).status, 200);
    await pushImage(pusher, `${ns}/pushed`, 'v1');

    const listed = okJson<{ keys: KeyJson[]; next: string | null }>(await api(admin, 'GET', '/berth/v1/keys'));
    const mine = listed.keys.find((x) => x.id === created.key.id);
    assert.deepEqual(mine, created.key);
    assert.ok(!JSON.stringify(listed).includes(created.secret), 'the secret is never listed');
    assert.equal(listed.next, null);
    const paged = okJson<{ keys: KeyJson[]; next: string | null }>(await api(admin, 'GET', '/berth/v1/keys?limit=1'));
    assert.equal(paged.keys.length, 1);
    assert.equal(paged.next, paged.keys[0]!.id);
    const rest = okJson<{ keys: KeyJson[] }>(await api(admin, 'GET', `/berth/v1/keys?after=${paged.next}`));
    assert.deepEqual([...paged.keys, ...rest.keys], listed.keys, 'pages by id, whole');

    assertApiError(await api(admin, 'POST', '/berth/v1/keys', { name: 'nothing' }), 400, 'INVALID_REQUEST');
    assertApiError(
      await api(admin, 'POST', '/berth/v1/keys', { name: 'both', admin: true, grants: [{ repositories: '*', actions: ['pull'] }] }),
      400,
      'INVALID_REQUEST',
    );
    assertApiError(await api(admin, 'POST', '/berth/v1/keys', { name: 'bad', grants: [{ repositories: 'a', actions: ['fly'] }] }), 400, 'INVALID_REQUEST');
    const full = okJson<{ key: KeyJson }>(await api(admin, 'POST', '/berth/v1/keys', { name: 'second-admin', admin: true }), 201);
    assert.equal(full.key.admin, true);
    const audit = okJson<{ events: Array<{ action: string; principal: string; dialect: string; target: string }> }>(
      await api(k.oci, 'GET', '/berth/v1/audit?action=key.create&limit=1'),
    );
    assert.deepEqual(audit.events[0], { ...audit.events[0], action: 'key.create', principal: k.admin.accessKeyId, dialect: 'api', target: full.key.id });
  });

  it('access: the effective actions on a repository, NAME_UNKNOWN where the caller may not pull', async () => {
    const reader = await createKey(k.berth, '--name', 'puller', '--grant', `${ns}/*:pull`);
    const c = bearer((await login(keyBasic(reader))).token);
    assert.deepEqual(okJson(await api(c, 'GET', `/berth/v1/repositories/${repo}/access`)), { repository: repo, actions: ['pull'] });
    assertApiError(await api(c, 'GET', `/berth/v1/repositories/${hiddenRepo}/access`), 404, 'NAME_UNKNOWN');
    assertApiError(await api(c, 'GET', `/berth/v1/repositories/${ns}/missing/access`), 404, 'NAME_UNKNOWN');
    assert.deepEqual(okJson(await api(k.oci, 'GET', `/berth/v1/repositories/${hiddenRepo}/access`)), {
      repository: hiddenRepo,
      actions: ['pull', 'push', 'delete', 'admin'],
    });
    const pusher = await createKey(k.berth, '--name', 'pusher', '--grant', `${ns}/*:pull,push`);
    assert.deepEqual(okJson(await api(new AuthClient(k.berth.url, keyBasic(pusher)), 'GET', `/berth/v1/repositories/${repo}/access`)), {
      repository: repo,
      actions: ['pull', 'push'],
    });
  });

  it('access: a repository policy Deny (set through ECR) takes the action away, as on every dialect', async () => {
    const deleter = await createKey(k.berth, '--name', 'deleter', '--grant', `${ns}/*:pull,push,delete`);
    const c = new AuthClient(k.berth.url, keyBasic(deleter));
    const path = `/berth/v1/repositories/${repo}/access`;
    assert.deepEqual(okJson(await api(c, 'GET', path)), { repository: repo, actions: ['pull', 'push', 'delete'] });
    const deny = (action: string) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: { AWS: [deleter.accessKeyId] }, Action: [action] }] });
    const ecr = ecrClient(k.berth.url, k.admin);
    await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: repo, policyText: JSON.stringify(deny('ecr:BatchDeleteImage')) }));
    assert.deepEqual(okJson(await api(c, 'GET', path)), { repository: repo, actions: ['pull', 'push'] });
    assert.equal((await c.req('DELETE', `/v2/${repo}/manifests/v1`)).status, 403, 'the same refusal /v2 gives');
    await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: repo, policyText: JSON.stringify(deny('ecr:BatchGetImage')) }));
    assertApiError(await api(c, 'GET', path), 404, 'NAME_UNKNOWN');
  });
});
