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
  const batches: string[][] = [];
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
    policiesOf: async (names) => {
      batches.push([...names]);
      return new Map(policy !== null && names.includes('team/app') ? [['team/app', policy]] : []);
    },
    registryId: '123456789012',
  });
  const { key, secret } = await issueAccessKey(keys, masterKey, { name: 'k', grants: fullAccessGrants(), now: new Date() });
  const request = { authorization: basic(key.id, secret), host: 'localhost', dialect: 'oci' as const };
  return { ...auth, key, secret, request, reads, batches };
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

  it('listings: a prefetched page answers for its names in one read (the gate and the signature dialects alike)', async () => {
    const deny = JSON.stringify({ Statement: [{ Effect: 'Deny', Principal: '*', Action: 'ecr:BatchGetImage' }] });
    const { gate, signatures, request, key, reads, batches } = await setup(deny);
    const principal = { kind: 'key' as const, keyId: key.id, grants: key.grants };
    for (const visible of [await gate.visibility(request), signatures.visibility!(principal)]) {
      reads.length = 0;
      batches.length = 0;
      await visible.prefetch!(['team/a', 'team/app', 'team/b']);
      assert.deepEqual(
        [await visible('team/a'), await visible('team/app'), await visible('team/b')],
        [true, false, true],
        'the Deny read with the page hides its repository, the others show',
      );
      assert.deepEqual([reads, batches], [[], [['team/a', 'team/app', 'team/b']]], 'one read for the page, none per name');
      assert.equal(await visible('team/c'), true);
      assert.deepEqual(reads, ['team/c'], 'a name outside the page is read alone');
      await visible.prefetch!(['team/c']);
      assert.equal(await visible('team/app'), false, 'a later page does not answer for an earlier one: read alone, still denied');
      assert.deepEqual(reads, ['team/c', 'team/app']);
    }
  });
});
