// The one description of berth's configuration (shape, defaults, limits); everything else reads the validated, frozen result.
import { isIP } from 'node:net';
import { z } from 'zod';
import { parseListen } from './listen.ts';
import { DURATION_HINT, formatDuration, parseDuration } from './parse-duration.ts';
import { parseByteSize, SIZE_HINT } from './parse-size.ts';

/** setTimeout/setInterval fire at once beyond 2^31-1 ms (~24.8 days), so durations that become timers stop at 24 days. */
const MAX_TIMER_MS = 24 * 86_400_000;

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A duration written as a string ("90s", "24h", "0"); the parsed value is milliseconds. */
function duration(defaultValue: string, description: string, limits: { min?: number; max?: number } = {}) {
  const { min = 0, max = Number.MAX_SAFE_INTEGER } = limits;
  return z
    .union([z.string(), z.number()], { error: `invalid duration: ${DURATION_HINT}` })
    .transform((value, ctx) => {
      let ms: number;
      try {
        // A bare number is ambiguous (seconds? milliseconds?) unless it is zero.
        if (typeof value === 'number' && value !== 0) throw new RangeError(`invalid duration ${value}: give a unit, e.g. "${value}s" or "${value}ms"`);
        ms = typeof value === 'number' ? 0 : parseDuration(value);
      } catch (e) {
        ctx.issues.push({ code: 'custom', message: message(e), input: value });
        return z.NEVER;
      }
      if (ms < min || ms > max) {
        const range = ms < min ? `at least ${formatDuration(min)}` : `at most ${formatDuration(max)}`;
        ctx.issues.push({ code: 'custom', message: `duration ${JSON.stringify(value)} out of range: must be ${range}`, input: value });
        return z.NEVER;
      }
      return ms;
    })
    .prefault(defaultValue)
    .describe(`${description} (duration: "90s", "5m", "24h", "7d", "0")`);
}

/** A byte size written as a number or "4MiB"; the parsed value is bytes. */
function byteSize(defaultValue: string, description: string, min = 0) {
  return z
    .union([z.string(), z.number()], { error: `invalid size: ${SIZE_HINT}` })
    .transform((value, ctx) => {
      let bytes: number;
      try {
        bytes = parseByteSize(value);
      } catch (e) {
        ctx.issues.push({ code: 'custom', message: message(e), input: value });
        return z.NEVER;
      }
      if (bytes < min) {
        ctx.issues.push({ code: 'custom', message: `size ${JSON.stringify(value)} too small: must be at least ${min} bytes`, input: value });
        return z.NEVER;
      }
      return bytes;
    })
    .prefault(defaultValue)
    .describe(`${description} (bytes, or a size such as "512KiB", "4MiB")`);
}

/** A list of strings, in a file as a YAML list or (for env and flags) one comma-separated string; each item checked. */
/** An IPv4 / IPv6 address, or one with a prefix length (CIDR), as Fastify's trustProxy takes them. */
function isAddressOrRange(v: string): boolean {
  const [address = '', prefix, ...rest] = v.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

/** A whole number of things (slots, sessions, places) from `min` up to a million. */
function count(min = 0) {
  return z.number().int().min(min).max(1_000_000);
}

function stringList(item: z.ZodType<string, string>) {
  return z
    .union([
      z.array(z.string()),
      z.string().transform((v) =>
        v
          .split(',')
          .map((x) => x.trim())
          .filter((x) => x !== ''),
      ),
    ])
    .pipe(z.array(item));
}

/** "scheme:rest": the adapter factory picks the backend by scheme, so a bare path is a mistake worth catching here. */
function storeUrl(example: string, description: string) {
  return z
    .string()
    .regex(/^[a-z][a-z0-9+.-]*:/i, { error: (iss) => `expected a URL such as "${example}", got ${JSON.stringify(iss.input)}` })
    .optional()
    .describe(description);
}

const listen = z
  .string()
  .transform((value, ctx) => {
    try {
      parseListen(value);
    } catch (e) {
      ctx.issues.push({ code: 'custom', message: message(e), input: value });
      return z.NEVER;
    }
    return value;
  })
  .prefault('127.0.0.1:5000')
  .describe('HOST:PORT to listen on; IPv6 as "[::1]:5000"; port 0 picks any free port');

const auth = z
  .strictObject({
    mode: z.enum(['none', 'required', 'auto']).prefault('auto').describe('none | required | auto (none on a loopback address, required elsewhere)'),
    insecure: z.boolean().prefault(false).describe('explicitly allow mode "none" on a non-loopback address'),
    realm: z
      .url({ protocol: /^https?$/, error: 'expected an http(s) URL such as "https://registry.example/token"' })
      .optional()
      .describe('token endpoint URL sent in WWW-Authenticate; default derived from the request host'),
    service: z.string().min(1).prefault('berth').describe('service name in token requests and the token audience'),
    tokenTtl: duration('5m', 'lifetime of issued bearer tokens', { min: 1_000 }),
  })
  .prefault({});

const consoleSessions = z
  .strictObject({
    sessionTtl: duration('15m', 'lifetime of one web console session token; the console refreshes it before it runs out', {
      min: 10_000,
      max: 86_400_000,
    }),
    sessionMaxAge: duration('12h', 'a console session can be refreshed until it is this old; then the user logs in again', {
      min: 10_000,
      max: 30 * 86_400_000,
    }),
  })
  .refine((c) => c.sessionTtl <= c.sessionMaxAge, { error: 'sessionTtl must not exceed sessionMaxAge', path: ['sessionTtl'] })
  .prefault({});

const uploads = z
  .strictObject({
    idleTimeout: duration('24h', 'an upload session untouched this long is expired and its data removed', { min: 1_000 }),
    ownerLease: duration(
      '30s',
      'each berth serve renews a lease every sixth of this; a session whose process let its lease run out and that was idle this long is expired with its data',
      { min: 1_000 },
    ),
    maxConcurrent: count().prefault(64).describe('uploads streaming at once; 0 = unlimited; beyond it uploads wait in the queue (maxQueued)'),
    maxConcurrentPerKey: count()
      .optional()
      .describe(
        'uploads one access key may stream at once (more wait, behind other keys); default a quarter of maxConcurrent (at least 1); 0 = no per-key share; anonymous callers (auth none) only count against maxConcurrent',
      ),
    maxQueued: count()
      .prefault(1024)
      .describe(
        'uploads that wait (body unread) for a slot beyond maxConcurrent or their key share, per replica; when full, the key with the most waiting yields its newest; 0 = none wait; beyond it TOOMANYREQUESTS',
      ),
    queueTimeout: duration('30s', 'how long a queued upload waits for a slot before UNAVAILABLE (503, Retry-After)', { min: 1, max: 3_600_000 }),
    maxOpenSessionsPerKey: count()
      .prefault(1024)
      .describe(
        'unfinished upload sessions one access key may hold, per replica (1024: a CI farm of 200 jobs sharing a key, docker uploading 5 layers at once each); 0 = unlimited; beyond it new sessions get TOOMANYREQUESTS',
      ),
  })
  .prefault({});

/** What a stranger can make berth hold while reading requests (docs/LIMITS.md). */
const requests = z
  .strictObject({
    unverifiedBodies: count(1)
      .prefault(64)
      .describe(
        'request bodies read at once before their sender is verified (SigV4, ACS3, SDK-HMAC bodies; every body with auth none); beyond it callers get a throttling error with Retry-After',
      ),
    unverifiedBodyBytes: byteSize('64MiB', 'bytes those unverified bodies may reserve together (each its declared length, or its endpoint limit)', 1),
    unverifiedBodiesPerClient: count()
      .optional()
      .describe(
        "one client address's share of unverifiedBodies (and the same fraction of unverifiedBodyBytes); beyond it a client gets a place only while one share stays free for the others; default a quarter of unverifiedBodies (at least 1); 0 = no share",
      ),
    trustedProxies: stringList(z.string().refine(isAddressOrRange, { error: 'expected an IP address or a CIDR range, e.g. "10.0.0.7" or "10.0.0.0/8"' }))
      .prefault([])
      .describe(
        'load balancers and proxies (IP addresses or CIDR ranges; list, or comma-separated) whose X-Forwarded-For names the client, so each client behind them has its own share of the unverified budget; empty = the peer address is the client',
      ),
    bodyIdleTimeout: duration('30s', 'a body read that gets no byte from the client for this long is answered (or its connection cut); 0 = off', {
      max: MAX_TIMER_MS,
    }),
    bodyMinRate: byteSize('1KiB', 'a body read slower than this many bytes per second over each bodyRateWindow is answered (or cut); 0 = off'),
    bodyRateWindow: duration('30s', 'the window bodyMinRate is averaged over; the first window is the grace period', { min: 100, max: MAX_TIMER_MS }),
    headersTimeout: duration('20s', 'a request whose headers are not complete after this long is answered 408 and closed', { min: 100, max: MAX_TIMER_MS }),
    keepAliveTimeout: duration('65s', 'an idle keep-alive connection is closed after this long', { min: 100, max: MAX_TIMER_MS }),
  })
  .prefault({});

const HOST_NAME = /^(?:\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9](?:[a-zA-Z0-9.-]{0,251}[a-zA-Z0-9])?)(?::\d{1,5})?$/;

/** Which image references are this registry's (pin sync, docs/DELETION.md): every name clients pull it by. */
const registry = z
  .strictObject({
    hostNames: stringList(
      z.string().regex(HOST_NAME, { error: 'expected HOST or HOST:PORT as clients write it, e.g. "registry.example.com" or "10.0.0.5:5000"' }),
    )
      .prefault([])
      .describe(
        'every HOST or HOST:PORT clients use for this registry (list, or comma-separated), as written in image references; pin sync keeps only images on these; empty = the listen address and localhost:PORT',
      ),
  })
  .prefault({});

export const configSchema = z
  .strictObject({
    listen,
    registry,
    data: z.string().min(1).prefault('./data').describe('data directory (metadata, blobs and keys by default); relative to the working directory'),
    auth,
    console: consoleSessions,
    secrets: z
      .strictObject({
        dir: z
          .string()
          .min(1)
          .optional()
          .describe(
            'directory holding master.key (seals access-key secrets) and token.key (signs tokens); default <data>/secrets. Replicas sharing a database must share these files',
          ),
      })
      .prefault({}),
    meta: z
      .strictObject({
        url: storeUrl(
          'sqlite:/var/lib/berth/meta.db',
          'metadata store: "sqlite:<path>" (default <data>/meta.db) or "postgres://USER:PASSWORD@HOST:PORT/DB[?schema=NAME&pool=N]"',
        ),
      })
      .prefault({}),
    blobs: z
      .strictObject({
        url: storeUrl(
          'file:/var/lib/berth/blobs',
          'blob store: "file:<dir>" (default <data>) or "s3://BUCKET[/PREFIX]?endpoint=URL&region=R&forcePathStyle=true"',
        ),
        s3: z
          .strictObject({
            accessKeyId: z.string().min(1).optional().describe('S3 access key id; unset = the AWS default chain (AWS_ACCESS_KEY_ID, profiles, instance roles)'),
            secretAccessKey: z.string().min(1).optional().describe('S3 secret access key, set together with accessKeyId'),
            redirect: z.boolean().prefault(false).describe('answer blob GETs with a redirect to a presigned URL of the object store (clients must reach it)'),
          })
          .refine((s) => (s.accessKeyId === undefined) === (s.secretAccessKey === undefined), {
            error: 'set accessKeyId and secretAccessKey together, or neither',
            path: ['secretAccessKey'],
          })
          .prefault({}),
      })
      .prefault({}),
    uploads,
    requests,
    manifests: z
      .strictObject({
        maxBytes: byteSize('4MiB', 'largest manifest accepted; larger pushes get MANIFEST_TOO_LARGE', 1),
      })
      .prefault({}),
    log: z
      .strictObject({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).prefault('info').describe('pino log level'),
      })
      .prefault({}),
    shutdown: z
      .strictObject({
        graceTimeout: duration('30s', 'on SIGTERM, how long in-flight requests may finish before connections are cut', { max: MAX_TIMER_MS }),
      })
      .prefault({}),
    deletion: z
      .strictObject({
        restoreWindow: duration('24h', 'how long a deleted manifest can still be restored; 0 = no restore'),
        pinPulledWithin: duration('0', 'a manifest pulled within this long counts as pinned (automatic pins); 0 = off'),
      })
      .prefault({}),
    ecr: z
      .strictObject({
        region: z
          .string()
          .regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, { error: 'expected an AWS region such as "us-east-1"' })
          .prefault('us-east-1')
          .describe('region berth reports in ECR ARNs (requests signed for any region are accepted)'),
        registryId: z
          .string()
          .regex(/^\d{12}$/, { error: 'expected a 12-digit account id' })
          .prefault('000000000000')
          .describe('the 12-digit ECR registry (account) id berth answers as'),
        requireCreate: z
          .boolean()
          .prefault(false)
          .describe('pushes to repositories that do not exist fail with NAME_UNKNOWN (create them with CreateRepository first), as on ECR'),
      })
      .prefault({}),
    acr: z
      .strictObject({
        regions: stringList(z.string().regex(/^[a-z]{2,}(-[a-z0-9]+)+$/, { error: 'expected an Alibaba Cloud region id such as "cn-hangzhou"' }))
          .prefault([])
          .describe('RegionIds the Alibaba Compute Nest API answers for (list, or comma-separated); empty = any well-formed region id'),
        clientTokenRetention: duration('24h', 'how long a ClientToken replays its first answer', { min: 1_000 }),
        credentialTtl: duration('1h', 'lifetime of the docker credentials GetArtifactRepositoryCredentials hands out', { min: 60_000, max: 86_400_000 }),
      })
      .prefault({}),
    swr: z
      .strictObject({
        region: z
          .string()
          .regex(/^[a-z]{2,}(-[a-z0-9]+)+$/, { error: 'expected a Huawei Cloud region id such as "cn-north-4"' })
          .prefault('cn-north-4')
          .describe('region berth answers as in the Huawei SWR API (docker login user names "<region>@<key id>")'),
      })
      .prefault({}),
    lifecycle: z
      .strictObject({
        interval: duration('1h', 'how often retention policies run in berth serve; 0 = never automatically', { max: MAX_TIMER_MS }),
      })
      .prefault({}),
    gc: z
      .strictObject({
        grace: duration('1h', 'an unreferenced blob waits this long (postponed by any new use) before GC removes it'),
        interval: duration('10m', 'how often online GC runs; 0 = never automatically', { max: MAX_TIMER_MS }),
      })
      .prefault({}),
  })
  .describe('berth configuration');

type DeepReadonly<T> = T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

/** The validated configuration: durations in milliseconds, sizes in bytes, paths absolute. Deep-frozen at run time. */
export type Config = DeepReadonly<z.output<typeof configSchema>>;
/** What a config file may contain (every key optional). */
export type ConfigInput = z.input<typeof configSchema>;

/** JSON Schema (draft 2020-12) of the config file, for `berth config schema` and editor completion. */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12' });
}
