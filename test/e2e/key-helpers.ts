// What every dialect's end-to-end tests need first: a berth with auth required and an admin access key made by the
// CLI, and an OCI client that sends a key's Basic credentials. One copy, so the dialects' helpers only add their own.
import assert from 'node:assert/strict';
import { type RunningBerth, runBerth, type StartOptions, startBerth } from './harness.ts';
import { Client, type ReqOptions, type Res } from './oci-helpers.ts';

export interface Key {
  accessKeyId: string;
  secretAccessKey: string;
}

export const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
export const keyBasic = (k: Key): string => basic(k.accessKeyId, k.secretAccessKey);

export async function createKey(berth: RunningBerth, ...args: string[]): Promise<Key> {
  const r = await runBerth(['key', 'create', '--data', berth.dataDir, '--json', ...args]);
  assert.equal(r.code, 0, r.stderr);
  const key = JSON.parse(r.stdout) as Key;
  assert.ok(key.accessKeyId && key.secretAccessKey, r.stdout);
  return key;
}

/** An OCI client whose every request carries the given Authorization (Basic for a key, or a login token). */
export class AuthClient extends Client {
  readonly authorization: string | undefined;
  constructor(url: string, authorization?: string) {
    super(url);
    this.authorization = authorization;
  }
  override req(method: string, target: string, options: ReqOptions = {}): Promise<Res> {
    const headers = { ...(this.authorization ? { authorization: this.authorization } : {}), ...(options.headers ?? {}) };
    return super.req(method, target, { ...options, headers });
  }
}

export interface KeyedBerth {
  berth: RunningBerth;
  /** A key granted everything. */
  admin: Key;
  /** /v2 and /berth/v1 as the admin key. */
  oci: AuthClient;
  /** Raw HTTP to the server (for calls built by hand). */
  raw: Client;
  dispose(): Promise<void>;
}

/** berth with auth required (unless `auth: 'none'`) and an admin key named `name`; nothing leaks if the key fails. */
export async function startKeyedBerth(name: string, options: StartOptions & { auth?: 'required' | 'none' } = {}): Promise<KeyedBerth> {
  const berth = await startBerth({ ...options, args: ['--auth', options.auth ?? 'required', ...(options.args ?? [])] });
  try {
    const admin = await createKey(berth, '--name', name, '--admin');
    return { berth, admin, oci: new AuthClient(berth.url, keyBasic(admin)), raw: new Client(berth.url), dispose: () => berth.dispose() };
  } catch (e) {
    await berth.dispose();
    throw e;
  }
}
