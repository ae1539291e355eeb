// Authentication as docker, podman and skopeo do it: Basic, and the Bearer token flow with per-repository scopes.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type RunningBerth, runBerth, startBerth } from './harness.ts';

interface Key {
  accessKeyId: string;
  secretAccessKey: string;
}

const basic = (k: Key, secret = k.secretAccessKey): string => `Basic ${Buffer.from(`${k.accessKeyId}:${secret}`).toString('base64')}`;
const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('auth required', () => {
  let berth: RunningBerth;
  let admin: Key;
  let reader: Key;

  async function createKey(...args: string[]): Promise<Key> {
    const r = await runBerth(['key', 'create', '--data', berth.dataDir, '--json', ...args]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as Key;
  }

  async function token(k: Key, scope?: string): Promise<string> {
    const q = new URLSearchParams({ service: 'berth', ...(scope ? { scope } : {}) });
    const r = await fetch(`${berth.url}/token?${q}`, { headers: { authorization: basic(k) } });
    assert.equal(r.status, 200);
    const body = (await r.json()) as { token: string; access_token: string; expires_in: number };
    assert.equal(body.token, body.access_token);
    assert.ok(body.expires_in > 0);
    return body.token;
  }

  before(async () => {
    berth = await startBerth({ args: ['--auth', 'required'] });
    // Keys are created by a second process while the server runs, and must work at once.
    admin = await createKey('--name', 'admin', '--admin');
    reader = await createKey('--name', 'reader', '--grant', 'team/*:pull');
  });
  after(async () => berth.dispose());

  it('challenges anonymous requests with a Bearer realm', async () => {
    const r = await fetch(`${berth.url}/v2/`);
    assert.equal(r.status, 401);
    const challenge = r.headers.get('www-authenticate') ?? '';
    assert.match(challenge, /^Bearer realm="http:\/\/127\.0\.0\.1:\d+\/token",service="berth"/);
    const body = (await r.json()) as { errors: Array<{ code: string }> };
    assert.equal(body.errors[0]?.code, 'UNAUTHORIZED');
    const scoped = await fetch(`${berth.url}/v2/team/app/tags/list`);
    assert.match(scoped.headers.get('www-authenticate') ?? '', /scope="repository:team\/app:pull"/);
  });

  it('accepts Basic credentials directly and rejects a wrong secret', async () => {
    assert.equal((await fetch(`${berth.url}/v2/`, { headers: { authorization: basic(admin) } })).status, 200);
    assert.equal((await fetch(`${berth.url}/v2/`, { headers: { authorization: basic(admin, 'wrong') } })).status, 401);
    assert.equal((await fetch(`${berth.url}/token?service=berth`, { headers: { authorization: basic(admin, 'wrong') } })).status, 401);
    assert.equal((await fetch(`${berth.url}/token?service=berth`)).status, 401);
  });

  it('runs the token flow: login token for /v2/, scoped token for push and pull', async () => {
    const login = await token(admin);
    assert.equal((await fetch(`${berth.url}/v2/`, { headers: { authorization: `Bearer ${login}` } })).status, 200);
    const push = await token(admin, 'repository:team/app:pull,push');
    const blob = Buffer.from('token-flow');
    const up = await fetch(`${berth.url}/v2/team/app/blobs/uploads/?digest=${sha(blob)}`, {
      method: 'POST',
      body: blob,
      headers: { authorization: `Bearer ${push}` },
    });
    assert.equal(up.status, 201);
    assert.equal((await fetch(`${berth.url}/v2/team/app/blobs/${sha(blob)}`, { headers: { authorization: `Bearer ${push}` } })).status, 200);
    const other = await fetch(`${berth.url}/v2/other/app/blobs/${sha(blob)}`, { headers: { authorization: `Bearer ${push}` } });
    assert.equal(other.status, 401, 'a token scoped to team/app does not open other/app');
    assert.match(other.headers.get('www-authenticate') ?? '', /insufficient_scope|scope="repository:other\/app:pull"/);
    assert.equal((await fetch(`${berth.url}/v2/team/app/blobs/${sha(blob)}`, { headers: { authorization: 'Bearer not.a.jwt' } })).status, 401);
  });

  it('grants limit what a key may do: read-only key pulls but cannot push or delete', async () => {
    const blob = Buffer.from('reader');
    const upload = await fetch(`${berth.url}/v2/team/ro/blobs/uploads/?digest=${sha(blob)}`, {
      method: 'POST',
      body: blob,
      headers: { authorization: basic(reader) },
    });
    assert.equal(upload.status, 403);
    assert.equal(((await upload.json()) as { errors: Array<{ code: string }> }).errors[0]?.code, 'DENIED');
    const t = await token(reader, 'repository:team/app:pull,push,delete');
    const claims = JSON.parse(Buffer.from(t.split('.')[1]!, 'base64url').toString()) as { access: Array<{ name: string; actions: string[] }> };
    assert.deepEqual(claims.access, [{ type: 'repository', name: 'team/app', actions: ['pull'] }]);
    const outside = await fetch(`${berth.url}/v2/elsewhere/x/tags/list`, { headers: { authorization: basic(reader) } });
    assert.equal(outside.status, 403);
  });

  it('a removed key stops working at once', async () => {
    const k = await createKey('--name', 'temp', '--admin');
    assert.equal((await fetch(`${berth.url}/v2/`, { headers: { authorization: basic(k) } })).status, 200);
    const rm = await runBerth(['key', 'rm', k.accessKeyId, '--data', berth.dataDir]);
    assert.equal(rm.code, 0, rm.stderr);
    assert.equal((await fetch(`${berth.url}/v2/`, { headers: { authorization: basic(k) } })).status, 401);
  });
});
