// The slow-connection figure (README, docs/LIMITS.md): one bounded load process holds many slow or stalled connections
// (half unauthenticated, half a low-rights key) open against berth while a well-behaved client pushes and pulls, and
// reports that client's p99 before and during, berth's RSS growth, and when the server closed each bad connection.
import { createHash, randomBytes } from 'node:crypto';
import { basic, createKey, type Key, startKeyedBerth } from '../e2e/key-helpers.ts';
import { ecrSignedHeaders, type HeldConnection, type HoldOptions, hold, rssOf } from '../e2e/slow-clients.ts';

export interface SlowLoadOptions {
  connections: number;
  /** Push+pull cycles of the well-behaved client per phase (4 requests each). */
  cycles: number;
  /** berth's config.requests durations as env values ("30s"); the defaults when absent. */
  idle: string;
  rateWindow: string;
  headersTimeout: string;
  /** uploads.queueTimeout: an upload past the key's share waits this long at most before it starts reading. */
  queueTimeout: string;
  log: (line: string) => void;
}

export interface SlowLoadResult {
  connections: number;
  p99IdleMs: number;
  p99LoadMs: number;
  /** max(2 x idle p99, idle p99 + 10 ms): a 2-core CI machine adds a few ms of jitter alone; a connection that blocked the event loop would add far more. */
  p99BoundMs: number;
  rssBaseMiB: number;
  rssGrowthMiB: number;
  rssBoundMiB: number;
  /** Per kind of bad connection: how many, the latest close (ms after opening), the documented bound, how many never closed. */
  kinds: Array<{ kind: string; count: number; maxCloseMs: number; boundMs: number; open: number }>;
  ok: boolean;
}

const ms = (text: string): number => {
  const m = /^(\d+)(ms|s)$/.exec(text);
  if (!m) throw new Error(`duration ${text}: use "<n>ms" or "<n>s"`);
  return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
};

function p99(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)]!;
}

/** One push+pull of a small image by the admin key over keep-alive connections; each request's latency recorded. */
async function cycle(url: string, auth: string, repo: string, out: number[]): Promise<void> {
  const timed = async (method: string, path: string, body?: Buffer, headers: Record<string, string> = {}): Promise<Response> => {
    const started = performance.now();
    const res = await fetch(`${url}${path}`, { method, headers: { authorization: auth, ...headers }, ...(body ? { body: new Uint8Array(body) } : {}) });
    await res.arrayBuffer();
    out.push(performance.now() - started);
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status}`);
    return res;
  };
  const layer = randomBytes(16 * 1024);
  const digest = `sha256:${createHash('sha256').update(layer).digest('hex')}`;
  await timed('POST', `/v2/${repo}/blobs/uploads/?digest=${digest}`, layer, { 'content-type': 'application/octet-stream' });
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: EMPTY_DIGEST, size: 2 },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest, size: layer.length }],
    }),
  );
  const tag = `t${randomBytes(4).toString('hex')}`;
  await timed('PUT', `/v2/${repo}/manifests/${tag}`, manifest, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
  await timed('GET', `/v2/${repo}/manifests/${tag}`, undefined, { accept: 'application/vnd.oci.image.manifest.v1+json' });
  await timed('GET', `/v2/${repo}/blobs/${digest}`);
}

const EMPTY_DIGEST = `sha256:${createHash('sha256').update('{}').digest('hex')}`;

/** The bad connections: a mix per half; `i` picks the kind round-robin. */
async function openBad(url: string, low: Key, count: number, sessionOf: () => Promise<string>): Promise<Array<{ kind: string; c: HeldConnection }>> {
  const lowAuth = basic(low.accessKeyId, low.secretAccessKey);
  const ecrSigned = await ecrSignedHeaders(url, low);
  const ecr = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.DescribeRegistry' };
  const body = (initial: number, declared: number): Pick<HoldOptions, 'initial' | 'declared'> => ({ initial, declared });
  const slowBody = { bytes: 100, everyMs: 500 };
  const stranger: Array<[string, () => HoldOptions]> = [
    ['stranger: slow headers', () => ({ method: 'GET', path: '/v2/', headers: { 'x-a': 'b' }, headersOnly: true, ...body(0, 0) })],
    ['stranger: ECR stalled body', () => ({ method: 'POST', path: '/', headers: ecr, ...body(256 * 1024, 9_000_000) })],
    ['stranger: ACR stalled body', () => ({ method: 'POST', path: '/?Action=ListArtifacts&Version=2021-05-21', headers: {}, ...body(32_000, 60_000) })],
    [
      'stranger: SWR stalled body',
      () => ({ method: 'POST', path: '/v2/manage/namespaces', headers: { 'content-type': 'application/json' }, ...body(100_000, 250_000) }),
    ],
    ['stranger: OCI upload stalled', () => ({ method: 'PATCH', path: '/v2/load/x/blobs/uploads/nope', headers: {}, ...body(64 * 1024, 1 << 20) })],
    ['stranger: ECR trickling body', () => ({ method: 'POST', path: '/', headers: ecr, trickle: slowBody, ...body(100, 9_000_000) })],
  ];
  const keyed: Array<[string, () => Promise<HoldOptions>]> = [
    ['low key: slow headers', async () => ({ method: 'GET', path: '/v2/', headers: { authorization: lowAuth }, headersOnly: true, ...body(0, 0) })],
    ['low key: ECR stalled body', async () => ({ method: 'POST', path: '/', headers: ecrSigned, ...body(64 * 1024, 9_000_000) })],
    ['low key: ECR trickling body', async () => ({ method: 'POST', path: '/', headers: ecrSigned, trickle: slowBody, ...body(100, 9_000_000) })],
    [
      'low key: OCI upload stalled',
      async () => ({
        method: 'PATCH',
        path: await sessionOf(),
        headers: { authorization: lowAuth, 'content-type': 'application/octet-stream' },
        ...body(64 * 1024, 1 << 20),
      }),
    ],
    [
      'low key: OCI upload trickling',
      async () => ({
        method: 'PATCH',
        path: await sessionOf(),
        headers: { authorization: lowAuth, 'content-type': 'application/octet-stream' },
        trickle: slowBody,
        ...body(100, 1 << 20),
      }),
    ],
  ];
  const out: Array<{ kind: string; c: HeldConnection }> = [];
  for (let i = 0; i < count; i++) {
    if (i % 2 === 0) {
      const [kind, make] = stranger[(i / 2) % stranger.length]!;
      out.push({ kind, c: hold(url, make()) });
    } else {
      const [kind, make] = keyed[((i - 1) / 2) % keyed.length]!;
      out.push({ kind, c: hold(url, await make()) });
    }
  }
  return out;
}

/**
 * The documented bound for a kind (docs/LIMITS.md): the timeout that applies plus 1 s (its check interval is shorter);
 * an upload may first wait in the slot queue (the low key's uploads beyond its share do), which bounds that wait.
 */
function boundFor(kind: string, o: SlowLoadOptions): number {
  if (kind.includes('headers')) return ms(o.headersTimeout) + 1_000;
  const queued = kind.includes('OCI upload') ? ms(o.queueTimeout) : 0;
  if (kind.includes('trickling')) return queued + ms(o.rateWindow) + 1_000;
  return queued + ms(o.idle) + 1_000;
}

export async function runSlowLoad(o: SlowLoadOptions): Promise<SlowLoadResult> {
  const env = {
    BERTH_REQUESTS_BODY_IDLE_TIMEOUT: o.idle,
    BERTH_REQUESTS_BODY_RATE_WINDOW: o.rateWindow,
    BERTH_REQUESTS_HEADERS_TIMEOUT: o.headersTimeout,
    BERTH_UPLOADS_QUEUE_TIMEOUT: o.queueTimeout,
    // The low-rights key may hold as many sessions as it opens connections.
    BERTH_UPLOADS_MAX_OPEN_SESSIONS_PER_KEY: '0',
  };
  const k = await startKeyedBerth('load-admin', { env });
  const held: Array<{ kind: string; c: HeldConnection }> = [];
  try {
    const low = await createKey(k.berth, '--name', 'load-low', '--grant', 'load/low/*:pull,push');
    const admin = basic(k.admin.accessKeyId, k.admin.secretAccessKey);
    const pid = k.berth.process.pid!;
    await fetch(`${k.berth.url}/v2/load/good/blobs/uploads/?digest=${EMPTY_DIGEST}`, { method: 'POST', headers: { authorization: admin }, body: '{}' });
    const warm: number[] = [];
    for (let i = 0; i < Math.min(20, o.cycles); i++) await cycle(k.berth.url, admin, 'load/good', warm);
    const idle: number[] = [];
    for (let i = 0; i < o.cycles; i++) await cycle(k.berth.url, admin, 'load/good', idle);
    const rssBase = rssOf(pid);
    o.log(`idle p99 ${p99(idle).toFixed(2)} ms over ${idle.length} requests; RSS ${(rssBase / 1048576).toFixed(1)} MiB`);

    const lowAuth = basic(low.accessKeyId, low.secretAccessKey);
    const sessionOf = async (): Promise<string> => {
      const r = await fetch(`${k.berth.url}/v2/load/low/x/blobs/uploads/`, { method: 'POST', headers: { authorization: lowAuth } });
      await r.arrayBuffer();
      if (r.status !== 202) throw new Error(`low key upload session: ${r.status}`);
      return r.headers.get('location')!;
    };
    let rssPeak = rssBase;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, rssOf(pid));
    }, 50);
    held.push(...(await openBad(k.berth.url, low, o.connections, sessionOf)));
    o.log(`opened ${held.length} slow or stalled connections`);
    const loaded: number[] = [];
    for (let i = 0; i < o.cycles; i++) await cycle(k.berth.url, admin, 'load/good', loaded);
    o.log(`loaded p99 ${p99(loaded).toFixed(2)} ms over ${loaded.length} requests`);

    const kinds = new Map<string, { count: number; maxCloseMs: number; boundMs: number; open: number }>();
    const waitMs = Math.max(...held.map((h) => boundFor(h.kind, o))) + 2_000;
    await Promise.all(
      held.map(async ({ kind, c }) => {
        const row = kinds.get(kind) ?? { count: 0, maxCloseMs: 0, boundMs: boundFor(kind, o), open: 0 };
        kinds.set(kind, row);
        row.count++;
        const t = await Promise.race([c.closed, new Promise<null>((r) => setTimeout(() => r(null), waitMs).unref())]);
        if (t === null) row.open++;
        else row.maxCloseMs = Math.max(row.maxCloseMs, t);
      }),
    );
    clearInterval(sampler);
    const p99IdleMs = p99(idle);
    const p99LoadMs = p99(loaded);
    const p99BoundMs = Math.max(2 * p99IdleMs, p99IdleMs + 10);
    // Bound: the unverified-body budget (64 MiB by default) plus 32 KiB per connection for sockets and request state.
    const rssBoundMiB = 64 + (o.connections * 32) / 1024;
    const rssGrowthMiB = (rssPeak - rssBase) / 1048576;
    const rows = [...kinds.entries()].map(([kind, r]) => ({ kind, ...r })).sort((a, b) => a.kind.localeCompare(b.kind));
    const ok = p99LoadMs <= p99BoundMs && rssGrowthMiB <= rssBoundMiB && rows.every((r) => r.open === 0 && r.maxCloseMs <= r.boundMs);
    return {
      connections: held.length,
      p99IdleMs,
      p99LoadMs,
      p99BoundMs,
      rssBaseMiB: rssBase / 1048576,
      rssGrowthMiB,
      rssBoundMiB,
      kinds: rows,
      ok,
    };
  } finally {
    for (const { c } of held) c.destroy();
    await k.dispose();
  }
}

/** The result as the table the README quotes. */
export function formatSlowLoad(r: SlowLoadResult): string {
  const lines = [
    `| measure | value | bound |`,
    `|---|---|---|`,
    `| well-behaved client p99, idle | ${r.p99IdleMs.toFixed(2)} ms | |`,
    `| well-behaved client p99, ${r.connections} bad connections held | ${r.p99LoadMs.toFixed(2)} ms | ${r.p99BoundMs.toFixed(2)} ms |`,
    `| berth RSS growth (base ${r.rssBaseMiB.toFixed(0)} MiB) | ${r.rssGrowthMiB.toFixed(1)} MiB | ${r.rssBoundMiB.toFixed(0)} MiB |`,
    ...r.kinds.map((k) => `| ${k.kind} (${k.count}): closed by berth within | ${k.maxCloseMs} ms${k.open > 0 ? `, ${k.open} never` : ''} | ${k.boundMs} ms |`),
  ];
  return lines.join('\n');
}
