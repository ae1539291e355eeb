import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { fullAccessGrants, issueAccessKey } from '../../auth/index.ts';
import { memoryKeys } from '../../auth/test-helper.ts';
import { createAuth } from './auth-gate.ts';

const masterKey = randomBytes(32);
const basic = (id: string, secret: string): string => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

async function setup(policy: string | null) {
  const keys = memoryKeys();
  const reads: string[] = [];
  const auth = createAuth({
    keys,
    keysMaterial: { masterKey, tokenKey: randomBytes(32) },
    mode: 'required',
    realm: undefined,
    service: 'berth',
    tokenTtlMs: 300_000,
    policies: async (name) => {
      reads.push(name);
      return name === 'team/app' ? policy : null;
    },
    registryId: '123456789012',
  });
  const { key, secret } = await issueAccessKey(keys, masterKey, { name: 'k', grants: fullAccessGrants(), now: new Date() });
  const request = { authorization: basic(key.id, secret), host: 'localhost', dialect: 'oci' as const };
  return { ...auth, key, secret, request, reads };
}

describe('access gate with repository policies', () => {
  it('a Deny for the key refuses the mapped /v2 action with 403 and leaves the others alone', async () => {
    const deny = JSON.stringify({ Statement: [{ Effect: 'Deny', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'ecr:BatchDeleteImage' }] });
    const { gate, request, key } = await setup(deny);
    const refused = await gate.check(request, [{ type: 'repository', name: 'team/app', actions: ['delete'] }]);
    assert.deepEqual(refused, { allowed: false, status: 403, message: `the repository policy of team/app denies delete to ${key.id}` });
    assert.equal((await gate.check(request, [{ type: 'repository', name: 'team/app', actions: ['pull', 'push'] }])).allowed, true);
    assert.equal((await gate.check(request, [{ type: 'repository', name: 'team/other', actions: ['delete'] }])).allowed, true);
    assert.equal(await gate.alsoAllowed(request, { type: 'repository', name: 'team/app', actions: ['delete'] }), false);
  });

  it('an Allow adds nothing on /v2, and a policy is read only for repository needs that passed the grants', async () => {
    const allow = JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 'ecr:*' }] });
    const { gate, request, reads } = await setup(allow);
    assert.equal((await gate.check(request, [{ type: 'repository', name: 'team/app', actions: ['pull'] }])).allowed, true);
    assert.equal((await gate.check({ ...request, authorization: undefined }, [{ type: 'repository', name: 'team/app', actions: ['pull'] }])).allowed, false);
    assert.deepEqual(reads, ['team/app']);
  });

  it('Basic with user AWS and a login token passes the gate; the signing keys are there for SigV4', async () => {
    const { gate, signatures, key, secret } = await setup(null);
    assert.equal(signatures.mode, 'required');
    assert.equal((await signatures.signingKey(key.id))?.secret, secret);
    const { token } = await signatures.issueLoginToken({ kind: 'key', keyId: key.id, grants: key.grants }, 60);
    const check = await gate.check({ authorization: basic('AWS', token), host: 'h', dialect: 'oci' }, [{ type: 'repository', name: 'x/y', actions: ['push'] }]);
    assert.deepEqual(check, { allowed: true, actor: { principal: key.id, dialect: 'oci' } });
  });

  it("verifyToken (SWR X-Auth-Token) takes a /token Bearer token with its scopes or a login token with the key's grants, nothing else", async () => {
    const { signatures, tokens, key, secret } = await setup(null);
    const verify = signatures.verifyToken!;
    const issued = await tokens.issue(basic(key.id, secret), 'berth', ['repository:team/app:pull']);
    const scoped = await verify(issued!.token);
    assert.deepEqual(scoped, { kind: 'token', keyId: key.id, access: [{ type: 'repository', name: 'team/app', actions: ['pull'] }] });
    const { token } = await signatures.issueLoginToken({ kind: 'key', keyId: key.id, grants: key.grants }, 60);
    assert.deepEqual(await verify(token), { kind: 'key', keyId: key.id, grants: key.grants });
    assert.equal(await verify(secret), null, 'a key secret is not a token');
    assert.equal(await verify(`${token.slice(0, -2)}xx`), null, 'a forged signature');
    assert.equal(await verify('not-a-token'), null);
  });
});
