// Console session tokens are their own kind: these prove a token of another kind, a tampered, expired or forged one
// is refused, and that refreshing keeps the session's start so its maximum age cannot be outrun.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { Authenticator } from './authenticator.ts';
import { CONSOLE_AUDIENCE, CONSOLE_TOKEN_TYPE, ConsoleTokens } from './console-session.ts';
import { memoryKeys } from './test-helper.ts';

const tokenKey = randomBytes(32);

function clock(start: string) {
  let now = new Date(start).getTime();
  return { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
}

const tokens = (now: () => Date, ttlSeconds = 900, maxAgeSeconds = 3600) => new ConsoleTokens({ tokenKey, ttlSeconds, maxAgeSeconds, now });

describe('console session tokens', () => {
  it('a fresh token verifies and names its key, session and times', async () => {
    const c = clock('2026-01-01T10:00:00Z');
    const t = tokens(c.now);
    const issued = await t.start('AKIDKEY1');
    assert.equal(issued.claims.expiresAt.toISOString(), '2026-01-01T10:15:00.000Z');
    assert.equal(issued.endsAt.toISOString(), '2026-01-01T11:00:00.000Z');
    const claims = await t.verify(issued.token);
    assert.deepEqual(claims, issued.claims);
    const header = JSON.parse(Buffer.from(issued.token.split('.')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    assert.equal(header.typ, CONSOLE_TOKEN_TYPE);
  });

  it('an expired token is refused', async () => {
    const c = clock('2026-01-01T10:00:00Z');
    const t = tokens(c.now);
    const { token } = await t.start('AKIDKEY1');
    c.advance(899_000);
    assert.notEqual(await t.verify(token), null);
    c.advance(2_000);
    assert.equal(await t.verify(token), null);
  });

  it('a tampered token, or one signed with another server key, is refused', async () => {
    const c = clock('2026-01-01T10:00:00Z');
    const { token } = await tokens(c.now).start('AKIDKEY1');
    const [h, p, s] = token.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...payload, sub: 'AKIDOTHER' })).toString('base64url');
    assert.equal(await tokens(c.now).verify(`${h}.${forged}.${s}`), null);
    const elsewhere = new ConsoleTokens({ tokenKey: randomBytes(32), ttlSeconds: 900, maxAgeSeconds: 3600, now: c.now });
    assert.equal(await elsewhere.verify(token), null);
  });

  it('registry tokens and login tokens of the same server are not console tokens', async () => {
    const c = clock('2026-01-01T10:00:00Z');
    const auth = new Authenticator({ keys: memoryKeys(), tokenKey, service: 'berth', now: c.now });
    const principal = { kind: 'key' as const, keyId: 'AKIDKEY1', grants: [] };
    const registry = await auth.issueToken(principal, [], 'berth');
    const login = await auth.issueLoginToken(principal, 600);
    assert.equal(await tokens(c.now).verify(registry.token), null);
    assert.equal(await tokens(c.now).verify(login.token), null);
  });

  it('a token with the right key and audience but another typ is refused', async () => {
    const c = clock('2026-01-01T10:00:00Z');
    const { token } = await tokens(c.now).start('AKIDKEY1');
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    // Re-signed with the console key itself (recovered the way the class derives it), only the typ differs.
    const { hkdfSync } = await import('node:crypto');
    const key = new Uint8Array(hkdfSync('sha256', tokenKey, new Uint8Array(0), 'berth console session token v1', 32));
    const sign = (typ: string) => new SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ }).sign(key);
    assert.notEqual(await tokens(c.now).verify(await sign(CONSOLE_TOKEN_TYPE)), null, 'the control token verifies');
    assert.equal(await tokens(c.now).verify(await sign('JWT')), null);
    assert.equal(payload.aud, CONSOLE_AUDIENCE);
  });

  it('a refresh keeps the session start, never outlives the maximum age, and is refused once it is reached', async () => {
    const c = clock('2026-01-01T10:00:00Z');
    const t = tokens(c.now, 900, 1800);
    const first = await t.start('AKIDKEY1');
    c.advance(800_000);
    const second = await t.refresh((await t.verify(first.token))!);
    assert.ok(second);
    assert.equal(second.claims.sessionId, first.claims.sessionId);
    assert.equal(second.claims.startedAt.toISOString(), '2026-01-01T10:00:00.000Z');
    assert.equal(second.claims.expiresAt.toISOString(), '2026-01-01T10:28:20.000Z');
    c.advance(800_000);
    const third = await t.refresh((await t.verify(second.token))!);
    assert.ok(third);
    assert.equal(third.claims.expiresAt.toISOString(), '2026-01-01T10:30:00.000Z', 'capped at the session end');
    c.advance(199_000);
    const claims = await t.verify(third.token);
    assert.ok(claims, 'still live one second before the end');
    c.advance(1_000);
    assert.equal(await t.refresh(claims), null, 'refused at the maximum age');
    assert.equal(await t.verify(third.token), null, 'and the last token is dead with it');
  });

  it('a token claiming a session longer than this server allows is refused', async () => {
    const c = clock('2026-01-01T10:00:00Z');
    const long = tokens(c.now, 900, 86_400);
    const { token } = await long.start('AKIDKEY1');
    const short = tokens(c.now, 900, 600);
    assert.equal(await short.verify(token), null);
  });
});
