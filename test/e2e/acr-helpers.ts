// Shared plumbing for the ACR (Alibaba Compute Nest) end-to-end tests: berth with access keys, Alibaba's generic SDK
// core (@alicloud/openapi-client callApi, the code the product SDK wraps) in both signature modes, hand-signed raw
// calls for the error paths the SDK cannot produce, and assertions on Alibaba's error envelope.
import assert from 'node:assert/strict';
import { createHash, createHmac, randomUUID } from 'node:crypto';
import OpenApiModule, { Config, OpenApiRequest, Params } from '@alicloud/openapi-client';
import { RuntimeOptions } from '@alicloud/tea-util';
import type { StartOptions } from './harness.ts';
import { createKey, type Key, type KeyedBerth, startKeyedBerth } from './key-helpers.ts';
import type { Client, Res } from './oci-helpers.ts';

export { createKey, type Key };
export const VERSION = '2021-05-21';
export const REGION = 'cn-hangzhou';
export const HELM_CONFIG = 'application/vnd.cncf.helm.config.v1+json';

/** "ACS3" is the SDK default (ACS3-HMAC-SHA256); "v2" makes it sign with the RPC HMAC-SHA1 scheme. */
export type SignatureMode = 'ACS3' | 'v2';
export const MODES: readonly SignatureMode[] = ['ACS3', 'v2'];

type SdkClient = { callApi(params: Params, request: OpenApiRequest, runtime: RuntimeOptions): Promise<{ statusCode: number; body: Record<string, unknown> }> };
const SdkClientClass = (OpenApiModule as unknown as { default: new (config: Config) => SdkClient }).default;

/** The SDK's answer: the HTTP status and the parsed body. */
export interface SdkAnswer<T = Record<string, unknown>> {
  statusCode: number;
  body: T;
}

/** What the SDK throws for 4xx/5xx answers: `code` is the body's Code, `data` the body plus statusCode. */
export interface SdkError {
  code: string;
  message: string;
  statusCode?: number;
  data?: Record<string, unknown>;
}

export interface AcrSdk {
  call<T = Record<string, unknown>>(action: string, query?: Record<string, string>): Promise<SdkAnswer<T>>;
}

/** Alibaba's generic SDK core pointed at berth, as the Compute Nest product client would call it (RPC, POST /). */
export function acrSdk(host: string, key: Key, mode: SignatureMode): AcrSdk {
  const client = new SdkClientClass(
    new Config({
      accessKeyId: key.accessKeyId,
      accessKeySecret: key.secretAccessKey,
      regionId: REGION,
      endpoint: host,
      protocol: 'http',
      ...(mode === 'v2' ? { signatureAlgorithm: 'v2' } : {}),
    }),
  );
  return {
    async call<T>(action: string, query: Record<string, string> = {}) {
      const params = new Params({
        action,
        version: VERSION,
        protocol: 'HTTPS',
        pathname: '/',
        method: 'POST',
        authType: 'AK',
        style: 'RPC',
        reqBodyType: 'formData',
        bodyType: 'json',
      });
      const out = await client.callApi(params, new OpenApiRequest({ query }), new RuntimeOptions({ autoretry: false, readTimeout: 30_000 }));
      return { statusCode: out.statusCode, body: out.body as T };
    },
  };
}

/** Awaits an SDK call that must fail with `code` and HTTP `status`; checks the envelope the SDK saw and returns the error. */
export async function sdkRejects(call: Promise<unknown>, code: string, status: number): Promise<SdkError> {
  let result: unknown;
  try {
    result = await call;
  } catch (e) {
    const err = e as SdkError;
    assert.equal(err.code, code, `expected ${code}, got ${err.code} (HTTP ${err.statusCode}): ${err.message}`);
    assert.equal(err.statusCode, status, `${code}: HTTP ${err.statusCode}, expected ${status}`);
    assertEnvelope(err.data ?? {}, code);
    return err;
  }
  assert.fail(`expected ${code}, but the call succeeded: ${JSON.stringify(result).slice(0, 500)}`);
}

export const REQUEST_ID_RE = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;

function assertEnvelope(body: Record<string, unknown>, code: string): void {
  assert.match(String(body.RequestId), REQUEST_ID_RE, `RequestId of ${JSON.stringify(body)}`);
  assert.equal(body.Code, code, JSON.stringify(body));
  for (const field of ['HostId', 'Message', 'Recommend']) {
    assert.equal(typeof body[field], 'string', `${field} missing in ${JSON.stringify(body)}`);
    assert.ok((body[field] as string).length > 0, `${field} empty in ${JSON.stringify(body)}`);
  }
}

/** Asserts an error answer to a raw call: status, JSON content type and the full envelope with `code`. */
export function assertAcrError(res: Res, code: string, status: number): Record<string, unknown> {
  assert.equal(res.status, status, res.describe());
  assert.match(res.header('content-type') ?? '', /^application\/json/, res.describe());
  const body = res.json<Record<string, unknown>>();
  assertEnvelope(body, code);
  return body;
}

export function acrOk<T = Record<string, unknown>>(res: Res): T {
  assert.equal(res.status, 200, res.describe());
  const body = res.json<T & { RequestId: string }>();
  assert.match(body.RequestId, REQUEST_ID_RE, res.describe());
  return body;
}

// ---- hand-signed calls (an independent implementation of both schemes, from Alibaba's documentation) -----------

const rfc3986 = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const stamp = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface RawOptions {
  /** Signing key; unsigned when absent. */
  key?: Key;
  scheme?: 'v1' | 'ACS3';
  method?: 'POST' | 'GET';
  date?: Date;
  /** Raw timestamp text (overrides `date`), e.g. a malformed one. */
  timestamp?: string;
  nonce?: string;
  /** Parameters sent in a form body instead of the query (v1 signs them too; ACS3 covers them by the body hash). */
  form?: Record<string, string>;
  /** Applied to the query after signing (tampering). */
  tamper?: Record<string, string>;
}

/** One RPC call built by hand: Action and Version plus `params`, signed with RPC v1 (default) or ACS3. */
export function acrRaw(c: Client, action: string, params: Record<string, string>, o: RawOptions = {}): Promise<Res> {
  const method = o.method ?? 'POST';
  const ts = o.timestamp ?? stamp(o.date ?? new Date());
  const nonce = o.nonce ?? randomUUID();
  const form = o.form ?? {};
  const body = Object.keys(form).length === 0 ? '' : new URLSearchParams(form).toString();
  const headers: Record<string, string> = { host: `${c.hostname}:${c.port}`, ...(body === '' ? {} : { 'content-type': 'application/x-www-form-urlencoded' }) };
  let query: Record<string, string> = { ...params };
  if ((o.scheme ?? 'v1') === 'v1') {
    query = { Action: action, Version: VERSION, Format: 'json', ...query };
    if (o.key) {
      Object.assign(query, { AccessKeyId: o.key.accessKeyId, SignatureMethod: 'HMAC-SHA1', SignatureVersion: '1.0', SignatureNonce: nonce, Timestamp: ts });
      const all = { ...query, ...form };
      const canonical = Object.keys(all)
        .sort()
        .map((k) => `${rfc3986(k)}=${rfc3986(all[k]!)}`)
        .join('&');
      const toSign = `${method}&${rfc3986('/')}&${rfc3986(canonical)}`;
      query.Signature = createHmac('sha1', `${o.key.secretAccessKey}&`).update(toSign).digest('base64');
    }
  } else {
    Object.assign(headers, {
      'x-acs-action': action,
      'x-acs-version': VERSION,
      'x-acs-date': ts,
      'x-acs-signature-nonce': nonce,
      'x-acs-content-sha256': createHash('sha256').update(body).digest('hex'),
    });
    if (o.key) {
      const names = Object.keys(headers).sort();
      const canonicalQuery = Object.keys(query)
        .sort()
        .map((k) => `${rfc3986(k)}=${rfc3986(query[k]!)}`)
        .join('&');
      const canonical = [
        method,
        '/',
        canonicalQuery,
        names.map((n) => `${n}:${headers[n]!.trim()}\n`).join(''),
        names.join(';'),
        headers['x-acs-content-sha256'],
      ].join('\n');
      const toSign = `ACS3-HMAC-SHA256\n${createHash('sha256').update(canonical).digest('hex')}`;
      const signature = createHmac('sha256', o.key.secretAccessKey).update(toSign).digest('hex');
      headers.authorization = `ACS3-HMAC-SHA256 Credential=${o.key.accessKeyId},SignedHeaders=${names.join(';')},Signature=${signature}`;
    }
  }
  Object.assign(query, o.tamper ?? {});
  const qs = Object.entries(query)
    .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
    .join('&');
  return c.req(method, `/?${qs}`, { headers, ...(body === '' ? {} : { body }) });
}

// ---- berth ----------------------------------------------------------------------------------------------------

export type AcrBerth = KeyedBerth;

/** berth with auth required (unless `auth: 'none'`) and an admin key. */
export function startAcrBerth(options: StartOptions & { auth?: 'required' | 'none' } = {}): Promise<AcrBerth> {
  return startKeyedBerth('acr-admin', options);
}

/** A namespace unique to this run: "<namespace>/<image>" repositories in it are found by RepoName filters. */
let counter = 0;
export function acrNamespace(area: string): string {
  return `acr-${area.toLowerCase()}-${process.pid.toString(36)}${(++counter).toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

/** ISO-8601 without fractions, as the API types CreateTime/ModifiedTime; close to now. */
export function assertIsoTime(value: unknown, what: string, slackMs = 10 * 60_000): void {
  assert.equal(typeof value, 'string', `${what}: ${JSON.stringify(value)}`);
  assert.match(value as string, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, what);
  assert.ok(Math.abs(Date.parse(value as string) - Date.now()) < slackMs, `${what} = ${String(value)} is not near now`);
}
