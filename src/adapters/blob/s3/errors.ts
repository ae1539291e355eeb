// S3 failures sorted once: an object store that is down, slow or overloaded is UNAVAILABLE (503 + Retry-After in every
// dialect, never lost data), a missing object is the port's "absent" answer, and everything else stays a real error.
import { RegistryError } from '../../../core/index.ts';

interface S3ErrorShape {
  name?: unknown;
  code?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $retryable?: unknown;
}

// Server-side names that mean "not now": throttling, overload, a gateway restarting, a request the server gave up on.
const TRANSIENT_NAMES = new Set([
  'SlowDown',
  'ServiceUnavailable',
  'InternalError',
  'RequestTimeout',
  'RequestTimeoutException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequests',
  'TooManyRequestsException',
  'TimeoutError',
  'NetworkingError',
]);
// Socket-level failures between berth and the store.
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ESOCKETTIMEDOUT',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

function shape(e: unknown): S3ErrorShape {
  return typeof e === 'object' && e !== null ? (e as S3ErrorShape) : {};
}

function statusOf(e: unknown): number | undefined {
  const s = shape(e).$metadata?.httpStatusCode;
  return typeof s === 'number' ? s : undefined;
}

/** The object (or upload) is not there: NoSuchKey from GET, a bare 404 NotFound from HEAD, NoSuchUpload. */
export function isAbsent(e: unknown): boolean {
  const { name } = shape(e);
  return name === 'NoSuchKey' || name === 'NotFound' || name === 'NoSuchUpload' || (statusOf(e) === 404 && name !== 'NoSuchBucket');
}

/** True when the failure says the store cannot serve right now, so the client should retry later. */
export function isTransient(e: unknown): boolean {
  if (e instanceof RegistryError) return e.code === 'UNAVAILABLE';
  const { name, code } = shape(e);
  if (typeof name === 'string' && TRANSIENT_NAMES.has(name)) return true;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  // A missing bucket is an outage of this store (deleted, or a gateway that lost its pools), not a bad request.
  if (name === 'NoSuchBucket') return true;
  const status = statusOf(e);
  return status !== undefined && (status >= 500 || status === 429);
}

function describe(e: unknown): string {
  const { name, code } = shape(e);
  const message = e instanceof Error ? e.message : String(e);
  const label = [name, code, statusOf(e)].filter((x) => x !== undefined && x !== 'Error').join(' ');
  // The SDK's message for a bare HEAD failure is "UnknownError": the name and status carry the information.
  return label ? `${label}: ${message}` : message;
}

/** Maps a transient failure to UNAVAILABLE and passes everything else through unchanged. */
export function toRegistryError(what: string, e: unknown): unknown {
  if (e instanceof RegistryError || !isTransient(e)) return e;
  return new RegistryError('UNAVAILABLE', `object store unavailable (${what}): ${describe(e)}`);
}

/** Runs one S3 call, translating transient failures to UNAVAILABLE. */
export async function s3<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw toRegistryError(what, e);
  }
}

/** Runs one S3 read, answering null when the object is absent. */
export async function s3OrAbsent<T>(what: string, call: () => Promise<T>): Promise<T | null> {
  try {
    return await call();
  } catch (e) {
    if (isAbsent(e)) return null;
    throw toRegistryError(what, e);
  }
}
