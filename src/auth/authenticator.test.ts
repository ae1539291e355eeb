import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { SignJWT, UnsecuredJWT } from 'jose';
import { type AccessKey, type AccessKeys, RegistryError } from '../core/index.ts';
import { Authenticator, type AuthenticatorOptions } from './authenticator.ts';
import { fullAccessGrants } from './grants.ts';
import { issueAccessKey } from './issue-key.ts';
import { ANONYMOUS_ADMIN } from './principal.ts';
import { parseScopes } from './scope.ts';
import { memoryKeys } from './test-helper.ts';

const master = randomBytes(32);
const tokenKey = randomBytes(32);
const basic = (id: string, secret: string): string => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const claims = (token: string): Record<string, unknown> => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

function setup(options: Partial<AuthenticatorOptions> = {}) {
  const keys = memoryKeys();
  const clock = { at: new Date('2026-06-01T00:00:00Z') };
  const auth = new Authenticator({ keys, tokenKey, masterKey: master, service: 'berth', now: () => clock.at, ...options });
  const advance = (seconds: number): void => {
    clock.at = new Date(clock.at.getTime() + seconds * 1000);
  };
  return { keys, auth, clock, advance };
}

describe('Authenticator.verifyBasic', () => {
  it('accepts the right secret and rejects a wrong one, an unknown key and malformed headers', async () => {
    const { keys, auth } = setup();
    const { key, secret } = await issueAccessKey(keys, master, { name: 'k', grants: [{ repositories: 'team/*', actions: ['pull'] }], now: new Date() });
    assert.deepEqual(await auth.verifyBasic(basic(key.id, secret)), { kind: 'key', keyId: key.id, grants: [{ repositories: 'team/*', actions: ['pull'] }] });
    assert.equal((await auth.verifyBasic(`basic  ${Buffer.from(`${key.id}:${secret}`).toString('base64')} `))?.kind, 'key', 'scheme is case-insensitive');
    assert.equal(
      (await auth.verifyBasic(`Basic ${Buffer.from(`${key.id}:${secret}`).toString('base64').replace(/=+$/, '')}`))?.kind,
      'key',
      'padding optional',
    );
    assert.equal(await auth.verifyBasic(basic(key.id, `${secret}x`)), null);
    assert.equal(await auth.verifyBasic(basic(key.id, secret.slice(1))), null);
    assert.equal(await auth.verifyBasic(basic(key.id, '')), null);
    assert.equal(await auth.verifyBasic(basic('BKNOSUCHKEY000000000', secret)), null);
    for (const bad of [
      '',
      'Basic',
      'Basic ',
      'Basic !!!',
      `Bearer ${Buffer.from(`${key.id}:${secret}`).toString('base64')}`,
      `Basic ${Buffer.from('nocolon').toString('base64')}`,
      `Basic ${Buffer.from(`:${secret}`).toString('base64')}`,
      `Basic ${'QUFB'.repeat(100)}`,
    ]) {
      assert.equal(await auth.verifyBasic(bad), null, bad);
    }
  });

  it('sees keys created and removed by another process at once (no negative or positive cache)', async () => {
    const { keys, auth } = setup();
    const other = new Authenticator({ keys, tokenKey }); // the same store seen by the CLI
    const { key, secret } = await issueAccessKey(keys, master, { name: 'k', grants: fullAccessGrants(), now: new Date() });
    await keys.deleteAccessKey(key.id);
    assert.equal(await auth.verifyBasic(basic(key.id, secret)), null, 'unknown first');
    await keys.createAccessKey(key);
    assert.equal((await auth.verifyBasic(basic(key.id, secret)))?.kind, 'key', 'created later: works immediately');
    assert.equal((await other.verifyBasic(basic(key.id, secret)))?.kind, 'key');
    await keys.deleteAccessKey(key.id);
    assert.equal(await auth.verifyBasic(basic(key.id, secret)), null, 'removed: fails immediately');
  });

  it('lets store failures propagate instead of answering "wrong credentials"', async () => {
    const broken: AccessKeys = {
      ...memoryKeys(),
      findAccessKey: async () => {
        throw new Error('database is down');
      },
    };
    const auth = new Authenticator({ keys: broken, tokenKey });
    await assert.rejects(auth.verifyBasic(basic('BKX', 'secret')), /database is down/);
  });
});

describe('Authenticator tokens', () => {
  async function withKey(grants = [{ repositories: 'team/*', actions: ['pull' as const] }], options: Partial<AuthenticatorOptions> = {}) {
    const s = setup(options);
    const { key, secret } = await issueAccessKey(s.keys, master, { name: 'ro', grants, now: s.clock.at });
    return { ...s, key, secret, principal: (await s.auth.verifyBasic(basic(key.id, secret)))! };
  }

  it('issues a JWT with the Docker claims, narrowed to the grants, and verifies it', async () => {
    const { auth, key, principal, clock } = await withKey();
    const scopes = parseScopes(['repository:team/app:pull,push', 'repository:other/x:pull registry:catalog:*']);
    const issued = await auth.issueToken(principal, scopes);
    assert.equal(issued.expiresIn, 300, 'default lifetime');
    assert.equal(issued.issuedAt, clock.at.toISOString());
    const c = claims(issued.token);
    const iat = clock.at.getTime() / 1000;
    assert.equal(c.iss, 'berth');
    assert.equal(c.sub, key.id);
    assert.equal(c.aud, 'berth');
    assert.equal(c.iat, iat);
    assert.equal(c.exp, iat + 300);
    assert.ok(typeof c.nbf === 'number' && c.nbf <= iat);
    assert.match(String(c.jti), /^[0-9a-f-]{36}$/);
    assert.deepEqual(c.access, [{ type: 'repository', name: 'team/app', actions: ['pull'] }]);
    assert.notEqual(claims((await auth.issueToken(principal, scopes)).token).jti, c.jti, 'fresh jti');
    assert.deepEqual(await auth.verifyBearer(`Bearer ${issued.token}`, 'berth'), {
      kind: 'token',
      keyId: key.id,
      access: [{ type: 'repository', name: 'team/app', actions: ['pull'] }],
    });
  });

  it('takes the audience as an argument and the lifetime and issuer from options', async () => {
    const { auth, principal } = await withKey(undefined, { tokenTtlSeconds: 60, issuer: 'berth-test' });
    const issued = await auth.issueToken(principal, [], 'other-service');
    assert.equal(issued.expiresIn, 60);
    assert.equal(claims(issued.token).aud, 'other-service');
    assert.equal(claims(issued.token).iss, 'berth-test');
    assert.deepEqual(claims(issued.token).access, []);
    assert.equal((await auth.verifyBearer(`Bearer ${issued.token}`, 'other-service'))?.kind, 'token');
    const noService = new Authenticator({ keys: memoryKeys(), tokenKey });
    await assert.rejects(noService.issueToken(principal, []), (e: unknown) => e instanceof RegistryError && e.code === 'INTERNAL');
  });

  it('rejects expired tokens and tokens not yet valid', async () => {
    const { auth, principal, advance } = await withKey(undefined, { tokenTtlSeconds: 60 });
    const { token } = await auth.issueToken(principal, []);
    advance(59);
    assert.equal((await auth.verifyBearer(`Bearer ${token}`, 'berth'))?.kind, 'token', 'still valid');
    advance(1);
    assert.equal(await auth.verifyBearer(`Bearer ${token}`, 'berth'), null, 'expired at exp');
    advance(-70);
    assert.equal(await auth.verifyBearer(`Bearer ${token}`, 'berth'), null, 'before nbf');
  });

  it('rejects a wrong audience, wrong issuer, tampering, another signing key and unsigned tokens', async () => {
    const { auth, principal, key, keys, clock } = await withKey();
    const { token } = await auth.issueToken(principal, parseScopes(['repository:team/app:pull']));
    assert.equal(await auth.verifyBearer(`Bearer ${token}`, 'elsewhere'), null, 'wrong audience');
    const [h, p, s] = token.split('.') as [string, string, string];
    const forged = Buffer.from(JSON.stringify({ ...claims(token), access: [{ type: 'repository', name: 'team/app', actions: ['*'] }] })).toString('base64url');
    assert.equal(await auth.verifyBearer(`Bearer ${h}.${forged}.${s}`, 'berth'), null, 'payload changed');
    const sig = Buffer.from(s, 'base64url');
    sig[0] = sig[0]! ^ 1;
    assert.equal(await auth.verifyBearer(`Bearer ${h}.${p}.${sig.toString('base64url')}`, 'berth'), null, 'signature changed');
    const otherKey = new Authenticator({ keys, tokenKey: randomBytes(32), service: 'berth', now: () => clock.at });
    assert.equal(await auth.verifyBearer(`Bearer ${(await otherKey.issueToken(principal, [])).token}`, 'berth'), null, 'other signing key');
    const otherIssuer = new Authenticator({ keys, tokenKey, issuer: 'evil', service: 'berth', now: () => clock.at });
    assert.equal(await auth.verifyBearer(`Bearer ${(await otherIssuer.issueToken(principal, [])).token}`, 'berth'), null, 'other issuer');
    const iat = Math.floor(clock.at.getTime() / 1000);
    const unsigned = new UnsecuredJWT({ access: [] })
      .setIssuer('berth')
      .setAudience('berth')
      .setSubject(key.id)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 60)
      .encode();
    assert.equal(await auth.verifyBearer(`Bearer ${unsigned}x`, 'berth'), null, 'alg none');
    for (const bad of ['', 'Bearer', 'Bearer not.a.jwt', `Basic ${token}`, `Bearer ${token} extra`])
      assert.equal(await auth.verifyBearer(bad, 'berth'), null, bad);
  });

  it('a removed key takes its tokens with it; claims beyond the grants are narrowed again', async () => {
    const { auth, principal, key, keys, clock } = await withKey();
    const { token } = await auth.issueToken(principal, parseScopes(['repository:team/app:pull']));
    const iat = Math.floor(clock.at.getTime() / 1000);
    const wide = await new SignJWT({
      access: [
        { type: 'repository', name: 'team/app', actions: ['pull', 'push'] },
        { type: 'repository', name: 'x', actions: ['pull'] },
      ],
    })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('berth')
      .setAudience('berth')
      .setSubject(key.id)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 60)
      .sign(tokenKey);
    assert.deepEqual((await auth.verifyBearer(`Bearer ${wide}`, 'berth'))?.access, [{ type: 'repository', name: 'team/app', actions: ['pull'] }]);
    await keys.deleteAccessKey(key.id);
    assert.equal(await auth.verifyBearer(`Bearer ${token}`, 'berth'), null);
  });

  it('tokens for anonymous-admin (auth off) carry what was asked but open nothing once auth is required', async () => {
    const { auth } = setup();
    const { token } = await auth.issueToken(ANONYMOUS_ADMIN, parseScopes(['repository:a:pull,push']));
    assert.equal(claims(token).sub, 'anonymous');
    assert.deepEqual(claims(token).access, [{ type: 'repository', name: 'a', actions: ['pull', 'push'] }]);
    assert.equal(await auth.verifyBearer(`Bearer ${token}`, 'berth'), null);
  });

  it('refuses weak token keys and bad lifetimes', () => {
    assert.throws(() => new Authenticator({ keys: memoryKeys(), tokenKey: randomBytes(16) }), RegistryError);
    assert.throws(() => new Authenticator({ keys: memoryKeys(), tokenKey, tokenTtlSeconds: 0 }), RegistryError);
  });
});

describe('Authenticator.signingKey', () => {
  it('opens the sealed secret for signature schemes', async () => {
    const { auth, keys } = setup();
    const { key, secret } = await issueAccessKey(keys, master, { name: 'sig', grants: fullAccessGrants(), now: new Date() });
    const found = await auth.signingKey(key.id);
    assert.equal(found?.secret, secret);
    assert.deepEqual(found?.principal, { kind: 'key', keyId: key.id, grants: key.grants });
    assert.equal(await auth.signingKey('BKUNKNOWN'), null);
    const withoutMaster = new Authenticator({ keys, tokenKey });
    await assert.rejects(withoutMaster.signingKey(key.id), RegistryError);
  });

  it('fails loudly when the stored secret was sealed under another master key', async () => {
    const { auth, keys } = setup();
    const { key } = await issueAccessKey(keys, randomBytes(32), { name: 'foreign', grants: fullAccessGrants(), now: new Date() });
    await assert.rejects(auth.signingKey(key.id), (e: unknown) => e instanceof RegistryError && e.code === 'INTERNAL');
    assert.equal(((await keys.findAccessKey(key.id)) as AccessKey).id, key.id);
  });
});

describe('Authenticator login tokens (ECR GetAuthorizationToken)', () => {
  it('Basic "AWS:<token>" acts as the key, with its grants now, until the token expires or the key goes', async () => {
    const { auth, keys, advance } = setup();
    const { key, secret } = await issueAccessKey(keys, master, { name: 'login', grants: [{ repositories: 'team/*', actions: ['pull'] }], now: new Date() });
    const principal = await auth.verifyBasic(basic(key.id, secret));
    const { token, expiresAt } = await auth.issueLoginToken(principal!, 12 * 3600);
    assert.ok(!token.includes(':'), 'get-login-password splits on ":"');
    assert.equal(expiresAt.toISOString(), '2026-06-01T12:00:00.000Z');
    assert.deepEqual(await auth.verifyBasic(basic('AWS', token)), { kind: 'key', keyId: key.id, grants: key.grants });
    assert.equal(await auth.verifyBasic(basic('AWS', `${token}x`)), null);
    assert.equal(await auth.verifyBearer(`Bearer ${token}`, 'berth'), null, 'a login token is no registry token');
    const bearer = await auth.issueToken(principal!, parseScopes(['repository:team/a:pull']));
    assert.equal(await auth.verifyBasic(basic('AWS', bearer.token)), null, 'a registry token is no login token');
    advance(12 * 3600 + 1);
    assert.equal(await auth.verifyBasic(basic('AWS', token)), null, 'expired');
    const fresh = await auth.issueLoginToken(principal!, 60);
    await keys.deleteAccessKey(key.id);
    assert.equal(await auth.verifyLoginToken(fresh.token), null, 'dies with its key');
  });

  it('a login token works under any user name (SWR "<region>@<key id>", ACR), and a key secret never counts as one', async () => {
    const { auth, keys } = setup();
    const { key, secret } = await issueAccessKey(keys, master, { name: 'login', grants: [{ repositories: '*', actions: ['pull'] }], now: new Date() });
    const principal = await auth.verifyBasic(basic(key.id, secret));
    const { token } = await auth.issueLoginToken(principal!, 600);
    assert.deepEqual(await auth.verifyBasic(basic(`cn-north-4@${key.id}`, token)), principal);
    assert.deepEqual(await auth.verifyBasic(basic('cr_temp_user', token)), principal);
    assert.equal(await auth.verifyBasic(basic('someone', secret)), null);
    assert.equal(await auth.verifyBasic(basic(key.id, `${token}x`)), null);
  });

  it('a token minted while auth was off opens nothing', async () => {
    const { auth } = setup();
    const { token } = await auth.issueLoginToken(ANONYMOUS_ADMIN, 60);
    assert.equal(await auth.verifyBasic(basic('AWS', token)), null);
  });
});
