import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import type { AccessKey, AccessKeys } from '../core/index.ts';
import { Authenticator, challenge, parseScope } from './authenticator.ts';
import { allows, matchesRepository, parseGrant } from './grants.ts';
import { issueAccessKey } from './issue-key.ts';
import { openSecret, sealSecret, secretMatches } from './secrets.ts';

/** An in-memory AccessKeys: a test double for the port, not a fake server. */
function memoryKeys(): AccessKeys {
  const keys = new Map<string, AccessKey>();
  return {
    createAccessKey: async (k) => void keys.set(k.id, k),
    findAccessKey: async (id) => keys.get(id) ?? null,
    listAccessKeys: async () => [...keys.values()],
    deleteAccessKey: async (id) => keys.delete(id),
  };
}

const master = randomBytes(32);
const basic = (id: string, secret: string): string => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('secrets', () => {
  it('seals and opens; tampering or another key fails', () => {
    const sealed = sealSecret(master, 'hunter2');
    assert.equal(openSecret(master, sealed), 'hunter2');
    assert.notEqual(sealSecret(master, 'hunter2'), sealed, 'fresh IV each time');
    const parts = sealed.split('.');
    parts[2] = Buffer.from('x').toString('base64url');
    assert.throws(() => openSecret(master, parts.join('.')));
    assert.throws(() => openSecret(randomBytes(32), sealed));
  });
});

describe('grants', () => {
  it('matches patterns', () => {
    assert.equal(matchesRepository('*', 'a/b/c'), true);
    assert.equal(matchesRepository('team/*', 'team/app'), true);
    assert.equal(matchesRepository('team/*', 'team/a/b'), true);
    assert.equal(matchesRepository('team/*', 'teamx/app'), false);
    assert.equal(matchesRepository('team/*', 'team'), false);
    assert.equal(matchesRepository('team/app', 'team/app'), true);
    assert.equal(matchesRepository('team/app', 'team/app2'), false);
  });
  it('admin implies every action', () => {
    assert.equal(allows([{ repositories: 'x', actions: ['admin'] }], 'x', 'delete'), true);
    assert.equal(allows([{ repositories: 'x', actions: ['pull'] }], 'x', 'push'), false);
  });
  it('parses the CLI form and rejects junk', () => {
    assert.deepEqual(parseGrant('team/*:pull,push'), { repositories: 'team/*', actions: ['pull', 'push'] });
    assert.deepEqual(parseGrant('*:admin'), { repositories: '*', actions: ['admin'] });
    for (const bad of ['team', 'team:', ':pull', 'Team/*:pull', 'team/*:fly', 'a/**:pull']) assert.throws(() => parseGrant(bad), bad);
  });
});

describe('Authenticator', () => {
  it('verifies Basic against the stored hash and sees new and removed keys at once', async () => {
    const keys = memoryKeys();
    const auth = new Authenticator({ keys, tokenKey: randomBytes(32), issuer: 'berth', tokenTtlSeconds: 60 });
    const { key, secret } = await issueAccessKey(keys, master, { name: 'k', now: new Date() });
    assert.ok(secretMatches(secret, key.secretHash));
    assert.equal(openSecret(master, key.sealedSecret), secret);
    assert.equal((await auth.verifyBasic(basic(key.id, secret)))?.kind, 'key');
    assert.equal(await auth.verifyBasic(basic(key.id, `${secret}x`)), null);
    assert.equal(await auth.verifyBasic(basic('NOPE', secret)), null);
    assert.equal(await auth.verifyBasic('Basic !!!'), null);
    assert.equal(await auth.verifyBasic(`Basic ${Buffer.from('nocolon').toString('base64')}`), null);
    await keys.deleteAccessKey(key.id);
    assert.equal(await auth.verifyBasic(basic(key.id, secret)), null);
  });

  it('issues tokens narrowed to the grants, verifies audience, expiry and signature', async () => {
    const keys = memoryKeys();
    let now = new Date('2026-06-01T00:00:00Z');
    const auth = new Authenticator({ keys, tokenKey: randomBytes(32), issuer: 'berth', tokenTtlSeconds: 60, now: () => now });
    const { key } = await issueAccessKey(keys, master, { name: 'ro', grants: [{ repositories: 'team/*', actions: ['pull'] }], now });
    const principal = { kind: 'key' as const, keyId: key.id, grants: key.grants };
    const scopes = [parseScope('repository:team/app:pull,push')!, parseScope('repository:other/x:pull')!, parseScope('registry:catalog:*')!];
    const { token, expiresIn } = await auth.issueToken(principal, scopes, 'berth');
    assert.equal(expiresIn, 60);
    const verified = await auth.verifyBearer(`Bearer ${token}`, 'berth');
    assert.deepEqual(verified, { kind: 'token', keyId: key.id, access: [{ type: 'repository', name: 'team/app', actions: ['pull'] }] });
    assert.equal(auth.can(verified!, { type: 'repository', name: 'team/app' }, 'pull'), true);
    assert.equal(auth.can(verified!, { type: 'repository', name: 'team/app' }, 'push'), false);
    assert.equal(auth.can(verified!, { type: 'registry', name: 'catalog' }, 'pull'), false);
    assert.equal(await auth.verifyBearer(`Bearer ${token}`, 'elsewhere'), null, 'wrong audience');
    assert.equal(await auth.verifyBearer(`Bearer ${token.slice(0, -2)}xx`, 'berth'), null, 'tampered');
    now = new Date(now.getTime() + 61_000);
    assert.equal(await auth.verifyBearer(`Bearer ${token}`, 'berth'), null, 'expired');
  });

  it('parses scopes and formats challenges', () => {
    assert.deepEqual(parseScope('repository:a/b/c:pull,push'), { type: 'repository', name: 'a/b/c', actions: ['pull', 'push'] });
    assert.deepEqual(parseScope('registry:catalog:*'), { type: 'registry', name: 'catalog', actions: ['*'] });
    assert.equal(parseScope('repository:x'), null);
    assert.equal(parseScope('bogus:x:pull'), null);
    assert.equal(challenge('http://h/token', 'berth', []), 'Bearer realm="http://h/token",service="berth"');
    assert.equal(
      challenge('http://h/token', 'berth', [{ type: 'repository', name: 'a/b', actions: ['pull', 'push'] }, { type: 'registry', name: 'catalog', actions: ['*'] }]),
      'Bearer realm="http://h/token",service="berth",scope="repository:a/b:pull,push registry:catalog:*"',
    );
  });
});
