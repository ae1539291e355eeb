import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { RegistryError } from '../core/index.ts';
import { fullAccessGrants } from './grants.ts';
import { issueAccessKey } from './issue-key.ts';
import { openSecret, secretMatches } from './sealing.ts';
import { memoryKeys } from './test-helper.ts';

const master = randomBytes(32);
const now = new Date('2026-06-01T00:00:00Z');
const invalid = (e: unknown): boolean => e instanceof RegistryError && e.code === 'INVALID_REQUEST';

describe('issueAccessKey', () => {
  it('stores a hashed and sealed secret and returns the plaintext once', async () => {
    const keys = memoryKeys();
    const { key, secret } = await issueAccessKey(keys, master, { name: 'ci', grants: fullAccessGrants(), now });
    assert.match(key.id, /^BK[A-Z0-9]{18}$/);
    assert.match(secret, /^[A-Za-z0-9]{40}$/);
    const stored = await keys.findAccessKey(key.id);
    assert.ok(stored);
    assert.equal(stored.name, 'ci');
    assert.equal(stored.createdAt.getTime(), now.getTime());
    assert.equal(stored.lastUsedAt, null);
    assert.ok(secretMatches(secret, stored.secretHash));
    assert.equal(openSecret(master, stored.sealedSecret), secret);
    assert.ok(!JSON.stringify(stored).includes(secret), 'the plaintext is not stored');
  });

  it('gives full access only when asked and validates given grants', async () => {
    const keys = memoryKeys();
    const all = await issueAccessKey(keys, master, { name: 'all', grants: fullAccessGrants(), now });
    assert.deepEqual(all.key.grants, [{ repositories: '*', actions: ['pull', 'push', 'delete', 'admin'] }]);
    const ro = await issueAccessKey(keys, master, { name: 'ro', grants: [{ repositories: 'team/*', actions: ['pull'] }], now });
    assert.deepEqual(ro.key.grants, [{ repositories: 'team/*', actions: ['pull'] }]);
    await assert.rejects(issueAccessKey(keys, master, { name: 'none', grants: [], now }), invalid);
    await assert.rejects(issueAccessKey(keys, master, { name: 'bad', grants: [{ repositories: 'Bad', actions: ['pull'] }], now }), invalid);
    await assert.rejects(issueAccessKey(keys, master, { name: '  ', grants: fullAccessGrants(), now }), invalid);
    // A name is shown in `berth key ls`, the console and the audit trail: no NUL, no terminal escapes, no line breaks.
    for (const name of ['a\u0000b', 'red\u001b[31m', 'two\nlines', 'del\u007f', 'c1\u009b']) {
      await assert.rejects(issueAccessKey(keys, master, { name, grants: fullAccessGrants(), now }), invalid, JSON.stringify(name));
    }
    assert.equal((await keys.listAccessKeys()).length, 2, 'refused keys are not stored');
  });

  it('issues distinct ids and secrets', async () => {
    const keys = memoryKeys();
    const a = await issueAccessKey(keys, master, { name: 'a', grants: fullAccessGrants(), now });
    const b = await issueAccessKey(keys, master, { name: 'b', grants: fullAccessGrants(), now });
    assert.notEqual(a.key.id, b.key.id);
    assert.notEqual(a.secret, b.secret);
  });
});
