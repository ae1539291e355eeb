// Shared plumbing for the NCR dialect's end-to-end tests: berth with access keys made by the CLI, a small signer
// written from NAVER's documented algorithm (there is no NCR SDK; NAVER's samples sign by hand the same way), raw
// HTTP so paths travel exactly as written (%2F included), and assertions on the API Gateway's error envelope.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { StartOptions } from './harness.ts';
import { type Key, type KeyedBerth, startKeyedBerth } from './key-helpers.ts';
import type { Client, ReqOptions, Res } from './oci-helpers.ts';

export { createKey, type Key } from './key-helpers.ts';

export const API = '/ncr/api/v2';

/** NAVER's signature v2: base64(HMAC-SHA256(secret, METHOD + " " + URI + "\n" + timestamp + "\n" + accessKey)). */
export function ncpSign(secret: string, method: string, uri: string, timestamp: string, accessKey: string): string {
  return createHmac('sha256', secret).update(`${method} ${uri}\n${timestamp}\n${accessKey}`, 'utf8').digest('base64');
}

export interface SignOptions {
  /** Sign with this key (unsigned when null). */
  key?: Key | null;
  /** The timestamp sent (default now, in epoch ms). */
  timestamp?: string;
  /** The URI signed, when it must differ from the one sent (signing the decoded path, say). */
  signedUri?: string;
  /** Headers added after signing. */
  extraHeaders?: Record<string, string>;
}

/** An NCR call: `uri` is the raw target after the host ("/ncr/api/v2/repositories/reg/hello%2Fworld"), or a page link. */
export function ncr(c: Client, method: string, uri: string, key: Key | null, o: SignOptions & { body?: string | object } = {}): Promise<Res> {
  const target = /^https?:\/\//.test(uri) ? new URL(uri).pathname + new URL(uri).search : uri;
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  const signer = o.key === undefined ? key : o.key;
  if (signer) {
    const ts = o.timestamp ?? String(Date.now());
    headers['x-ncp-apigw-timestamp'] = ts;
    headers['x-ncp-iam-access-key'] = signer.accessKeyId;
    headers['x-ncp-apigw-signature-v2'] = ncpSign(signer.secretAccessKey, method, o.signedUri ?? target, ts, signer.accessKeyId);
  }
  const body = o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
  const options: ReqOptions = { headers: { ...headers, ...(o.extraHeaders ?? {}) }, ...(body !== undefined ? { body } : {}) };
  return c.req(method, target, options);
}

export interface GatewayError {
  error: { errorCode: string; message: string; details: string; pins?: Array<{ id: string; repository: string; digest: string }> };
}

/** Asserts the gateway envelope {"error":{errorCode,message,details}} with this status and code. */
export function assertNcrError(res: Res, status: number, errorCode: string): GatewayError {
  assert.equal(res.status, status, res.describe());
  assert.match(res.header('content-type') ?? '', /^application\/json/, `${res.describe()}: error bodies are JSON`);
  const body = res.json<GatewayError>();
  assert.equal(body.error?.errorCode, errorCode, res.describe());
  assert.equal(typeof body.error.message, 'string', res.describe());
  assert.ok(body.error.details.length > 0, `${res.describe()}: no details`);
  return body;
}

export function ncrOk<T = Record<string, unknown>>(res: Res, status = 200): T {
  assert.equal(res.status, status, res.describe());
  if (status === 204) {
    assert.equal(res.body.length, 0, `${res.describe()}: 204 with a body`);
    return {} as T;
  }
  assert.match(res.header('content-type') ?? '', /^application\/json/, res.describe());
  return res.json<T>();
}

export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

/** Follows `next` links from `first` (signed like any call); bounded so a loop fails instead of hanging. */
export async function allPages<T>(c: Client, first: string, key: Key | null, maxPages = 50): Promise<Array<Page<T>>> {
  const pages: Array<Page<T>> = [];
  let uri: string | null = first;
  while (uri !== null) {
    assert.ok(pages.length < maxPages, `more than ${maxPages} pages from ${first}`);
    const page: Page<T> = ncrOk<Page<T>>(await ncr(c, 'GET', uri, key));
    pages.push(page);
    uri = page.next;
  }
  return pages;
}

export type NcrBerth = KeyedBerth;

/** berth with auth required (unless `auth: 'none'`) and an admin key. */
export function startNcrBerth(options: StartOptions & { auth?: 'required' | 'none' } = {}): Promise<NcrBerth> {
  return startKeyedBerth('ncr-admin', options);
}
