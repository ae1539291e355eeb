// One S3 client per store, configured for the S3-compatible servers berth meets (Ceph RGW, MinIO, ...): path-style
// addressing, checksums only where S3 requires them (streamed aws-chunked bodies are rejected by Ceph 16 with 411),
// kept-alive sockets with a cap, and timeouts so a dead endpoint becomes UNAVAILABLE instead of a hung request.
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { S3Client } from '@aws-sdk/client-s3';
import type { S3Location } from './location.ts';

/** Credentials from the config file; without them the SDK's default chain (AWS_* variables, profiles, roles) is used. */
export interface S3Credentials {
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
}

/** Network tuning; the defaults suit a registry, tests shorten the timeouts. */
export interface S3Tuning {
  /** Connect phase of one attempt (default 5 s). */
  connectTimeoutMs?: number;
  /** A socket idle this long (no bytes either way) fails the request (default 60 s). */
  idleTimeoutMs?: number;
  /** Attempts per call, including the first (default 3, with the SDK's backoff). */
  maxAttempts?: number;
  /** Concurrent sockets to the store (default 128): each pull or part transfer holds one. */
  maxSockets?: number;
}

/**
 * Short calls (HEAD, LIST, DELETE, COPY, small PUTs, readiness) and long transfers (pulls, appends) use separate
 * clients: a crowd of slow pulls holding every transfer socket must never starve the calls that decide readiness,
 * GC and commits, and a hung store must fail short calls within seconds while a slow client's pull may idle longer.
 */
export const CONTROL: S3Tuning = { idleTimeoutMs: 10_000, maxAttempts: 2, maxSockets: 64 };
export const TRANSFER: S3Tuning = { idleTimeoutMs: 300_000, maxAttempts: 3, maxSockets: 2_048 };

export function createS3Client(location: S3Location, credentials: S3Credentials, tuning: S3Tuning = {}): S3Client {
  const { accessKeyId, secretAccessKey } = credentials;
  const agent = { keepAlive: true, maxSockets: tuning.maxSockets ?? 128, maxFreeSockets: 32 };
  return new S3Client({
    region: location.region,
    forcePathStyle: location.forcePathStyle,
    ...(location.endpoint !== undefined ? { endpoint: location.endpoint } : {}),
    ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey } } : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: tuning.maxAttempts ?? 3,
    requestHandler: {
      httpAgent: new HttpAgent(agent),
      httpsAgent: new HttpsAgent(agent),
      connectionTimeout: tuning.connectTimeoutMs ?? 5_000,
      // An idle timeout, not a total one: a multi-GiB pull to a slow client may take hours but never stalls this long.
      socketTimeout: tuning.idleTimeoutMs ?? 60_000,
    },
  });
}
