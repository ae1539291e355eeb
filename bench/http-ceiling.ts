// `node bench/http-ceiling.ts [--rounds N] [--seconds S]`: how much of a hot manifest GET's cost is berth's. Runs the
// bench's manifest GET load (same worker, 32 connections) against berth, against a bare Node HTTP server that answers
// berth's exact bytes and headers from memory (the most any Node server could do here), and against Distribution,
// interleaved, and prints each one's rate and server CPU per request.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cpuSecondsOf } from './cpu-by-process.ts';
import { getText, MANIFEST_ACCEPT } from './http.ts';
import { type Registry, startBerthRegistry, startDistribution } from './registries.ts';
import { load, manifestGetRate, type RateOptions } from './workloads/rates.ts';

const { values: flags } = parseArgs({ options: { rounds: { type: 'string' }, seconds: { type: 'string' } } });
const rounds = Number(flags.rounds ?? 3);
const rate: RateOptions = { seconds: Number(flags.seconds ?? 10), warmupSeconds: 2, connections: 32, maxRequests: 2_000_000 };

/** A Node HTTP server that answers every request with `body` and `headers`: no routing, no lookups, no hooks. */
const BARE = `
import { createServer } from 'node:http';
const { headers, body } = JSON.parse(process.argv[1]);
const bytes = Buffer.from(body, 'base64');
const server = createServer((req, res) => { res.writeHead(200, headers); res.end(bytes); });
server.listen(0, '127.0.0.1', () => console.log('http://127.0.0.1:' + server.address().port));
`;

async function startBare(headers: Record<string, string>, body: Buffer): Promise<Registry> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', BARE, JSON.stringify({ headers, body: body.toString('base64') })], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((res, rej) => {
    child.stdout.once('data', (d: Buffer) => res(d.toString().trim()));
    child.once('exit', (code) => rej(new Error(`the bare server exited with ${code}`)));
  });
  const pid = child.pid!;
  const stop = async (): Promise<void> => {
    child.kill();
    await new Promise((r) => child.once('exit', r));
  };
  return { name: 'bare node http', software: `node ${process.version} http.createServer`, url, pid, peakRssMiB: async () => NaN, stop };
}

const dir = await mkdtemp(join(tmpdir(), 'berth-http-ceiling-'));
const servers: Registry[] = [];
try {
  const berth = await startBerthRegistry(dir);
  servers.push(berth);
  // One image pushed and read once: the bare server gets berth's answer, byte for byte and header for header.
  const hot = `/v2/ceiling/hot/manifests/latest`;
  await manifestGetRate(berth.url, 'ceiling', { ...rate, seconds: 0.2, warmupSeconds: 0 });
  const probe = await getText(berth.url, hot, { accept: MANIFEST_ACCEPT });
  const keep = ['content-type', 'content-length', 'docker-content-digest', 'etag', 'docker-distribution-api-version'];
  const headers = Object.fromEntries(keep.map((h) => [h, String(probe.headers[h])]));
  servers.push(await startBare(headers, Buffer.from(probe.text)));
  servers.push(await startDistribution(dir));
  await manifestGetRate(servers[2]!.url, 'ceiling', { ...rate, seconds: 0.2, warmupSeconds: 0 });

  const results = new Map<string, Array<{ perSecond: number; cpuPerRequest: number }>>();
  for (let round = 1; round <= rounds; round++) {
    for (const s of servers) {
      const before = cpuSecondsOf(s.pid);
      const r = await load(s.url, hot, { accept: MANIFEST_ACCEPT }, rate);
      // The warm-up's requests are counted at the measured rate: its CPU is in the difference too.
      const requests = r.perSecond * (rate.seconds + rate.warmupSeconds);
      const row = { perSecond: r.perSecond, cpuPerRequest: ((cpuSecondsOf(s.pid) - before) * 1e6) / requests };
      results.set(s.name, [...(results.get(s.name) ?? []), row]);
      console.log(`round ${round} ${s.name}: ${Math.round(row.perSecond)} req/s, ${Math.round(row.cpuPerRequest)} µs of server CPU a request`);
    }
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const dist = median(results.get('distribution')!.map((r) => r.perSecond));
  console.log(`\n| server | req/s (${rounds} rounds) | server CPU µs a request | median / Distribution |\n|---|---|---|---|`);
  for (const s of servers) {
    const rows = results.get(s.name)!;
    const range = (xs: number[]): string => `${Math.round(Math.min(...xs)).toLocaleString('en')}-${Math.round(Math.max(...xs)).toLocaleString('en')}`;
    const ratio = (median(rows.map((r) => r.perSecond)) / dist).toFixed(2);
    console.log(`| ${s.software} | ${range(rows.map((r) => r.perSecond))} | ${range(rows.map((r) => r.cpuPerRequest))} | ${ratio}x |`);
  }
} finally {
  for (const s of servers) await s.stop();
  await rm(dir, { recursive: true, force: true });
}
