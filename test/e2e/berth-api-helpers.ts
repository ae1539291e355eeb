// Shared plumbing for the tests of deletion safety: JSON calls to the berth API (/berth/v1), its error body, pins,
// and where blob bytes live on disk, so GC tests can see files appear and disappear.
import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client, Res } from './oci-helpers.ts';

export interface ApiError {
  error: { code: string; message: string; detail: unknown };
}

import type { PinJson } from '../../src/http/berth/wire.ts';

export type { PinJson };

/** A berth API call; `body` is sent as JSON unless it is already a string (raw bytes for the bad-input tests). */
export function api(c: Client, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res> {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return c.req(method, path, { body: payload, headers: { ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...headers } });
}

/** Asserts a berth API error: the status, the JSON body {"error":{code,message,detail}} and the code. */
export function assertApiError(res: Res, status: number, code?: string): ApiError {
  assert.equal(res.status, status, res.describe());
  assert.match(res.header('content-type') ?? '', /^application\/json/, `${res.describe()}: error bodies are JSON`);
  const body = res.json<ApiError>();
  assert.ok(body.error && typeof body.error.code === 'string' && typeof body.error.message === 'string', `${res.describe()}: not {"error":{code,message}}`);
  assert.ok(body.error.message.length > 0, `${res.describe()}: empty message`);
  assert.ok('detail' in body.error, `${res.describe()}: no detail field`);
  if (code !== undefined) assert.equal(body.error.code, code, res.describe());
  return body;
}

export function okJson<T>(res: Res, status = 200): T {
  assert.equal(res.status, status, res.describe());
  return res.json<T>();
}

/** The delete preview of `repository` for `body` (a tag, a digest or the whole repository); asserts 200. */
export async function previewDelete<T>(c: Client, repository: string, body: object): Promise<T> {
  return okJson<T>(await api(c, 'POST', `/berth/v1/repositories/${repository}/delete-preview`, body));
}

/** Pins `reference` (tag or digest) of `repository` through the API; asserts 201. */
export async function createPin(
  c: Client,
  repository: string,
  reference: string,
  reason = 'runs in prod',
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<PinJson> {
  const res = await api(c, 'POST', '/berth/v1/pins', { repository, reference, reason, ...extra }, headers);
  return okJson<{ pin: PinJson }>(res, 201).pin;
}

/** The file holding a committed blob: <data>/blobs/sha256/<2 hex>/<hex>. */
export function blobFile(dataDir: string, digest: string): string {
  const [alg, hex] = digest.split(':') as [string, string];
  return join(dataDir, 'blobs', alg, hex.slice(0, 2), hex);
}

export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** The first error of an OCI error envelope. */
export function ociError(res: Res): { code: string; message: string; detail: unknown } {
  const body = res.json<{ errors: Array<{ code: string; message: string; detail: unknown }> }>();
  assert.ok(Array.isArray(body.errors) && body.errors.length > 0, `${res.describe()}: not an OCI error envelope`);
  return body.errors[0]!;
}
