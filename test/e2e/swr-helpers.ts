// Shared plumbing for the SWR dialect's end-to-end tests: berth with access keys, the official Huawei SDK pointed at
// it with .withEndpoint, raw calls signed by the SDK's own AKSKSigner (for what the SDK hides or cannot send), and
// assertions on SWR's error object (top-level error_code/error_msg, errors[], X-Request-Id).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { stringify } from 'node:querystring';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core';
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js';
import { Logger4jInstance } from '@huaweicloud/huaweicloud-sdk-core/logger/log4jLogger.js';
import { SwrClient } from '@huaweicloud/huaweicloud-sdk-swr';
import type { StartOptions } from './harness.ts';
import { type Key, type KeyedBerth, startKeyedBerth } from './key-helpers.ts';
import type { Client, Res } from './oci-helpers.ts';

export { AuthClient, basic, createKey, type Key } from './key-helpers.ts';

// The SDK logs every error response to stdout at level ERROR; the assertions say what matters.
Logger4jInstance.level = 'off';

export const PROJECT_ID = 'berth-e2e-project';
export const REGION = 'cn-north-4';

/** A namespace unique to this run (SWR's rule: starts with a letter). */
let counter = 0;
export function swrNamespace(area: string): string {
  return `swr-${area}-${process.pid.toString(36)}${(++counter).toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

/** The official SDK client pointed at berth; the project id keeps it from asking IAM (off the machine) for one. */
export function swrClient(url: string, key: Key): SwrClient {
  return SwrClient.newBuilder()
    .withCredential(new BasicCredentials().withAk(key.accessKeyId).withSk(key.secretAccessKey).withProjectId(PROJECT_ID))
    .withEndpoint(url)
    .build();
}

export interface SwrBerth extends KeyedBerth {
  sdk: SwrClient;
}

export async function startSwrBerth(options: StartOptions & { auth?: 'required' | 'none' } = {}): Promise<SwrBerth> {
  const keyed = await startKeyedBerth('swr-admin', options);
  return { ...keyed, sdk: swrClient(keyed.berth.url, keyed.admin) };
}

/** What the SDK rejects with for an error answer. */
export interface SdkError {
  name: string;
  httpStatusCode?: number;
  errorCode?: string;
  errorMsg?: string;
  requestId?: string;
}

/** Awaits a call that must fail with this HTTP status and error code; returns the exception. */
export async function sdkRejects(call: Promise<unknown>, status: number, code: string | RegExp): Promise<SdkError> {
  let result: unknown;
  try {
    result = await call;
  } catch (e) {
    const err = e as SdkError;
    assert.equal(err.httpStatusCode, status, `expected HTTP ${status}, got ${JSON.stringify(err)}`);
    if (typeof code === 'string') assert.equal(err.errorCode, code, JSON.stringify(err));
    else assert.match(err.errorCode ?? '', code, JSON.stringify(err));
    assert.ok((err.errorMsg ?? '').length > 0, `no error_msg: ${JSON.stringify(err)}`);
    assert.match(err.requestId ?? '', /^[0-9a-f]{32}$/, `the SDK reads the request id from X-Request-Id: ${JSON.stringify(err)}`);
    return err;
  }
  assert.fail(`expected HTTP ${status} ${String(code)}, but the call succeeded: ${JSON.stringify(result).slice(0, 500)}`);
}

export interface RawCall {
  /** Sign with this key (unsigned when absent). */
  key?: Key;
  query?: Record<string, string>;
  body?: unknown;
  /** Headers signed along (e.g. X-Sdk-Date to sign at another time, in the SDK's accepted ISO form). */
  signedHeaders?: Record<string, string>;
  /** Headers added after signing (unsigned, or overriding a signed one: tampering). */
  extraHeaders?: Record<string, string>;
  /** The body actually sent when it must differ from the signed one. */
  sendBody?: string;
}

/** An SWR call built by hand and signed with the SDK's own AKSKSigner, exactly as HcClient signs. */
export function swrRaw(c: Client, method: string, path: string, o: RawCall = {}): Promise<Res> {
  const text = o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
  // A body given as text is sent as is; the SDK signer would hash JSON.stringify of it, so its hash is signed instead.
  const declared: Record<string, string> = typeof o.body === 'string' ? { 'X-Sdk-Content-Sha256': createHash('sha256').update(o.body).digest('hex') } : {};
  let headers: Record<string, string> = { 'content-type': 'application/json', 'X-Project-Id': PROJECT_ID, ...declared, ...(o.signedHeaders ?? {}) };
  if (o.key) {
    const request = { endpoint: `${c.url}${path}`, method, queryParams: o.query ?? {}, headers, data: typeof o.body === 'string' ? undefined : o.body };
    const signed = AKSKSigner.sign(request as never, { getAk: () => o.key!.accessKeyId, getSk: () => o.key!.secretAccessKey } as never) as Record<
      string,
      string
    >;
    headers = signed;
  } else {
    headers = { ...headers, host: `${c.hostname}:${c.port}` };
  }
  const query = stringify(o.query ?? {});
  const payload = o.sendBody ?? text;
  return c.req(method, query === '' ? path : `${path}?${query}`, {
    headers: { ...headers, ...(o.extraHeaders ?? {}) },
    ...(payload === undefined ? {} : { body: payload }),
  });
}

export interface SwrErrorBody {
  error_code: string;
  error_msg: string;
  request_id?: string;
  errors?: Array<{ errorCode: string; errorMessage: string; detail: string }>;
}

/** Asserts SWR's error object: status, error_code (and errors[0] agreeing), a message, an X-Request-Id header. */
export function assertSwrError(res: Res, status: number, code: string | RegExp): SwrErrorBody {
  assert.equal(res.status, status, res.describe());
  assert.match(res.header('content-type') ?? '', /^application\/json/, res.describe());
  assert.match(res.header('x-request-id') ?? '', /^[0-9a-f]{32}$/, `${res.describe()}: X-Request-Id`);
  const body = res.json<SwrErrorBody>();
  if (typeof code === 'string') assert.equal(body.error_code, code, res.describe());
  else assert.match(body.error_code, code, res.describe());
  assert.ok(body.error_msg.length > 0, res.describe());
  assert.equal(body.errors?.[0]?.errorCode, body.error_code, `${res.describe()}: errors[] for older clients`);
  assert.equal(body.errors?.[0]?.errorMessage, body.error_msg);
  return body;
}
