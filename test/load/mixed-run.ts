// Runs the mixed load against a real berth process: N keep-alive clients doing pulls, pushes, lists, deletes and the
// cloud APIs' calls for a bounded time, and sums up per kind what a registry operator would ask (latency, errors).

import { acrRaw } from '../e2e/acr-helpers.ts';
import { startBerth } from '../e2e/harness.ts';
import { createKey, keyBasic } from '../e2e/key-helpers.ts';
import { KeepAliveClient } from './keepalive-client.ts';
import { type ClientState, draw, type Record_, type Shared, seed } from './mixed-work.ts';

export interface MixedOptions {
  clients: number;
  seconds: number;
  /** embedded (SQLite + filesystem, the default) or postgres-s3 (the test servers of test/servers.ts). */
  backend: 'embedded' | 'postgres-s3';
  /** none: the embedded default on loopback (OCI calls are anonymous); required: every call uses one admin key. */
  auth: 'none' | 'required';
  /** Extra environment for berth (BERTH_UPLOADS_MAX_CONCURRENT=... to try other limits). */
  env?: Record<string, string>;
  layerBytes?: number;
  /** Bound on units of work, whatever the time. */
  maxUnits?: number;
}

export interface KindStats {
  kind: string;
  count: number;
  p50: number;
  p99: number;
  max: number;
  c4xx: number;
  c5xx: number;
  connErrors: number;
  /** Answers other than the expected status (4xx/5xx included). */
  unexpected: number;
}

export interface MixedReport {
  options: MixedOptions;
  /** The clients' connections, opened before the clock started (how many the pool holds, and how long that took). */
  connections: { connected: number; ms: number; slowestMs: number };
  seconds: number;
  requests: number;
  perSecond: number;
  kinds: KindStats[];
  pushes: { ok: number; failed: number };
  /** A few unexpected answers, for diagnosis. */
  samples: string[];
}

const quantile = (sorted: Float64Array, q: number): number => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!);

class Tally {
  readonly #lat = new Map<string, number[]>();
  readonly #bad = new Map<string, { c4xx: number; c5xx: number; conn: number; unexpected: number }>();
  readonly samples: string[] = [];
  record: Record_ = (kind, ms, status, expected) => {
    let l = this.#lat.get(kind);
    if (!l) this.#lat.set(kind, (l = []));
    l.push(ms);
    let b = this.#bad.get(kind);
    if (!b) this.#bad.set(kind, (b = { c4xx: 0, c5xx: 0, conn: 0, unexpected: 0 }));
    if (status === 'conn-error') b.conn++;
    else if (status >= 500) b.c5xx++;
    else if (status >= 400) b.c4xx++;
    if (!expected) {
      b.unexpected++;
      if (this.samples.length < 10) this.samples.push(`${kind}: ${status}`);
    }
  };
  stats(): KindStats[] {
    return [...this.#lat.keys()].sort().map((kind) => {
      const sorted = Float64Array.from(this.#lat.get(kind)!).sort();
      const b = this.#bad.get(kind)!;
      return {
        kind,
        count: sorted.length,
        p50: quantile(sorted, 0.5),
        p99: quantile(sorted, 0.99),
        max: sorted.at(-1) ?? 0,
        c4xx: b.c4xx,
        c5xx: b.c5xx,
        connErrors: b.conn,
        unexpected: b.unexpected,
      };
    });
  }
}

export async function runMixed(options: MixedOptions): Promise<MixedReport> {
  if (options.backend === 'postgres-s3') process.env.BERTH_TEST_BACKEND = 'postgres-s3';
  const berth = await startBerth({ args: ['--auth', options.auth], env: { BERTH_LOG_LEVEL: 'warn', ...(options.env ?? {}) } });
  const client = new KeepAliveClient(berth.url, options.clients);
  try {
    const key = await createKey(berth, '--name', 'load', '--admin');
    const oci: Record<string, string> = options.auth === 'required' ? { authorization: keyBasic(key) } : {};
    const setup = new Tally();
    const base: Shared = { client, key, oci, seeds: [], acrRepoIds: [], layerBytes: options.layerBytes ?? 4096 };
    const seeds = await seed(base, setup.record);
    const listed = await acrRaw(client, 'ListAcrImageRepositories', { PageSize: '100' }, { key, scheme: 'ACS3' });
    if (listed.status !== 200) throw new Error(`listing ACR repositories: ${listed.describe()}`);
    const acrRepoIds = (listed.json() as { Repositories: Array<{ RepoId: string }> }).Repositories.map((r) => r.RepoId);
    if (acrRepoIds.length === 0) throw new Error('ACR lists no repositories after seeding');
    const shared: Shared = { ...base, seeds, acrRepoIds };
    // Keep-alive clients hold their connections; opening all of them in the first second measured the accept queue.
    const connections = await client.openConnections(options.clients);

    const tally = new Tally();
    const pushes = { ok: 0, failed: 0 };
    const maxUnits = options.maxUnits ?? 5_000_000;
    let units = 0;
    const started = performance.now();
    const deadline = started + options.seconds * 1000;
    await Promise.all(
      Array.from({ length: options.clients }, async (_, id) => {
        const st: ClientState = { id, n: 0, pushed: [] };
        while (performance.now() < deadline && units < maxUnits) {
          units++;
          await draw()(shared, tally.record, st, pushes);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const kinds = tally.stats();
    const requests = kinds.reduce((n, k) => n + k.count, 0);
    return { options, connections, seconds, requests, perSecond: requests / seconds, kinds, pushes, samples: tally.samples };
  } finally {
    await client.close().catch(() => undefined);
    await berth.dispose();
  }
}

/** What makes the run a failure: any 5xx, connection error, unexpected answer or failed push. */
export function problems(r: MixedReport): string[] {
  const out: string[] = [];
  for (const k of r.kinds) {
    if (k.c5xx > 0) out.push(`${k.kind}: ${k.c5xx} 5xx`);
    if (k.connErrors > 0) out.push(`${k.kind}: ${k.connErrors} connection errors`);
    if (k.unexpected > k.c5xx + k.connErrors) out.push(`${k.kind}: ${k.unexpected - k.c5xx - k.connErrors} unexpected answers`);
  }
  if (r.pushes.failed > 0) out.push(`${r.pushes.failed} of ${r.pushes.ok + r.pushes.failed} pushes failed`);
  if (r.pushes.ok === 0) out.push('no push completed');
  return out;
}

const ms = (x: number): string => (x < 10 ? x.toFixed(1) : x.toFixed(0));

/** The per-kind table, Markdown, so a run can be pasted into the README as it is. */
export function table(r: MixedReport): string {
  const o = r.options;
  const lines = [
    `berth ${o.backend}, auth ${o.auth}, ${o.clients} keep-alive clients, ${r.seconds.toFixed(1)} s: ${r.requests} requests (${Math.round(r.perSecond)}/s); ` +
      `pushes ${r.pushes.ok} ok, ${r.pushes.failed} failed`,
    `${r.connections.connected} connections opened before the clock (${Math.round(r.connections.ms)} ms, slowest ${Math.round(r.connections.slowestMs)} ms); ` +
      'times are from handing a request to the connection pool to its last byte, so request signing is not counted',
    '',
    '| kind | count | p50 ms | p99 ms | max ms | 4xx | 5xx | conn errors |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...r.kinds.map((k) => `| ${k.kind} | ${k.count} | ${ms(k.p50)} | ${ms(k.p99)} | ${ms(k.max)} | ${k.c4xx} | ${k.c5xx} | ${k.connErrors} |`),
  ];
  if (r.samples.length > 0) lines.push('', `unexpected answers (first ${r.samples.length}): ${r.samples.join('; ')}`);
  return lines.join('\n');
}
