// Console sessions through the real access gate: only the key itself logs in, the token opens only the berth API,
// and a revoked key ends its sessions at the next request.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { fullAccessGrants, issueAccessKey } from '../../auth/index.ts';
import { memoryKeys } from '../../auth/test-helper.ts';
import { createAuth } from './auth-gate.ts';

const masterKey = randomBytes(32);
const basic = (id: string, secret: string): string => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const ADMIN = [{ type: 'registry' as const, name: 'berth', actions: ['admin' as const] }];

async function setup() {
  const keys = memoryKeys();
  const auth = createAuth({
    keys,
    keysMaterial: { masterKey, tokenKey: randomBytes(32) },
    mode: 'required',
    realm: undefined,
    service: 'berth',
    tokenTtlMs: 300_000,
    console: { sessionTtlMs: 900_000, sessionMaxAgeMs: 3_600_000 },
  });
  const { key, secret } = await issueAccessKey(keys, masterKey, { name: 'ops', grants: fullAccessGrants(), now: new Date() });
  return { ...auth, keys, key, secret };
}

describe('console sessions through the access gate', () => {
  it('logs in with the key, and the token acts as the key on the berth API only', async () => {
    const { console: c, gate, key, secret } = await setup();
    const login = await c.login(basic(key.id, secret));
    assert.ok(login);
    assert.deepEqual(
      { keyId: login.session.keyId, keyName: login.session.keyName, admin: login.session.admin },
      { keyId: key.id, keyName: 'ops', admin: true },
    );
    assert.ok(login.refreshBefore < login.expiresAt);
    const bearer = `Bearer ${login.token}`;
    const api = await gate.check({ authorization: bearer, host: 'h', dialect: 'api' }, ADMIN);
    assert.deepEqual(api, { allowed: true, actor: { principal: key.id, dialect: 'api' } });
    for (const dialect of ['oci', 'swr', 'ecr', 'acr', 'ncr'] as const) {
      const other = await gate.check({ authorization: bearer, host: 'h', dialect }, [{ type: 'repository', name: 'a', actions: ['pull'] }]);
      assert.equal(other.allowed, false, dialect);
      assert.equal(other.allowed === false && other.status, 401, dialect);
    }
  });

  it('refuses to start a session from a registry token, a login token or a console token', async () => {
    const { console: c, tokens, signatures, key, secret } = await setup();
    const registry = await tokens.issue(basic(key.id, secret), 'berth', ['repository:a:pull']);
    assert.ok(registry);
    assert.equal(await c.login(`Bearer ${registry.token}`), null);
    const loginToken = await signatures.issueLoginToken({ kind: 'key', keyId: key.id, grants: key.grants }, 600);
    assert.equal(await c.login(basic('AWS', loginToken.token)), null);
    const session = (await c.login(basic(key.id, secret)))!;
    assert.equal(await c.login(`Bearer ${session.token}`), null);
    assert.equal(await c.login(basic(key.id, 'wrong-secret')), null);
    assert.equal(await c.refresh(`Bearer ${registry.token}`), null, 'a registry token is not a session to refresh');
    assert.equal(await c.session(`Bearer ${registry.token}`), null);
  });

  it('a revoked key ends its sessions at once', async () => {
    const { console: c, gate, keys, key, secret } = await setup();
    const login = (await c.login(basic(key.id, secret)))!;
    const bearer = `Bearer ${login.token}`;
    assert.ok(await c.session(bearer));
    assert.equal(await keys.deleteAccessKey(key.id), true);
    assert.equal(await c.session(bearer), null);
    assert.equal(await c.refresh(bearer), null);
    const refused = await gate.check({ authorization: bearer, host: 'h', dialect: 'api' }, []);
    assert.equal(refused.allowed === false && refused.status, 401);
  });

  it('a refresh is a new token of the same session', async () => {
    const { console: c, key, secret } = await setup();
    const login = (await c.login(basic(key.id, secret)))!;
    const next = await c.refresh(`Bearer ${login.token}`);
    assert.ok(next);
    assert.notEqual(next.token, login.token);
    assert.equal(next.session.sessionId, login.session.sessionId);
    assert.equal(next.session.endsAt.getTime(), login.session.endsAt.getTime());
  });
});
