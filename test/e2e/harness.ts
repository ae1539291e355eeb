// Starts berth as a real process on a free loopback port, as every end-to-end test must, and stops it cleanly.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
export const BERTH_BIN = join(ROOT, 'bin/berth.js');
/** The bin's shebang finds `node` on PATH: make that the Node running the tests, whatever PATH says. */
const NODE_FIRST = { PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` };

export interface RunningBerth {
  /** e.g. "http://127.0.0.1:41234" */
  url: string;
  /** e.g. "127.0.0.1:41234", as docker/podman/skopeo want it. */
  host: string;
  dataDir: string;
  process: ChildProcess;
  /** Everything the process wrote, for diagnostics. */
  output(): string;
  /** Sends SIGTERM (or the given signal) and waits for exit; keeps the data dir. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Stops and removes the data dir. */
  dispose(): Promise<void>;
}

export interface StartOptions {
  /** Reuse a data dir (e.g. to restart on the same data). */
  dataDir?: string;
  args?: string[];
  env?: Record<string, string>;
  /** Listen address; default 127.0.0.1:0 (a free port chosen by the OS). */
  listen?: string;
}

/**
 * BERTH_TEST_BACKEND=postgres-s3 runs every berth these tests start (and every CLI call naming its --data) on the
 * shared PostgreSQL + S3 test servers instead of the embedded stores, so the whole end-to-end suite can prove the
 * scale-out stores behave as the embedded ones. The schema and key prefix derive from the data dir, so a restart on
 * the same data dir finds the same registry. Calls that choose their own stores (--meta, --blobs, --config) are left alone.
 */
async function backend(args: readonly string[]): Promise<{ args: string[]; env: Record<string, string> }> {
  const dataAt = args.indexOf('--data');
  if (process.env.BERTH_TEST_BACKEND !== 'postgres-s3' || dataAt < 0 || args.some((a) => a === '--meta' || a === '--blobs' || a === '--config')) {
    return { args: [], env: {} };
  }
  const { postgresServer, s3Server } = await import('../servers.ts');
  const [pg, s3] = [await postgresServer(), await s3Server()];
  const id = createHash('sha256')
    .update(resolve(args[dataAt + 1]!))
    .digest('hex')
    .slice(0, 16);
  const q = new URLSearchParams({ endpoint: s3.endpoint, region: s3.region, forcePathStyle: 'true' });
  return {
    args: ['--meta', `${pg.url}${pg.url.includes('?') ? '&' : '?'}schema=berth_e2e_${id}`, '--blobs', `s3://${s3.bucket}/e2e-${id}?${q}`],
    env: { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey },
  };
}

/** Skip reason for the few tests that read the embedded stores' files (data/blobs, data/uploads) directly. */
export const EMBEDDED_ONLY: string | false =
  process.env.BERTH_TEST_BACKEND === 'postgres-s3'
    ? "reads the embedded stores' files directly (data/blobs, data/uploads); the same behaviour on PostgreSQL + S3 is covered by the replica tests"
    : false;

/**
 * Polls `check` until it holds, failing with `what` after `timeoutMs`: for tests that must wait for something to have
 * happened (a request to be in flight, a session to expire), instead of sleeping for a guessed time.
 */
export async function until(what: string, check: () => boolean | Promise<boolean>, { timeoutMs = 10_000, everyMs = 25 } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The `berth_uploads_in_flight` gauge of one berth process (its upload slots in use), read from its /metrics. */
export async function uploadsInFlight(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^berth_uploads_in_flight (\d+)$/m.exec(text)?.[1] ?? Number.NaN);
}

/** The `berth_uploads_queued` gauge of one berth process (uploads waiting for a slot), read from its /metrics. */
export async function uploadsQueued(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^berth_uploads_queued (\d+)$/m.exec(text)?.[1] ?? Number.NaN);
}

/** What the unverified-body budget of one berth process holds now (`berth_unverified_bodies` / `_bytes`, from /metrics). */
export async function unverifiedBodies(url: string): Promise<{ bodies: number; bytes: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const gauge = (name: string): number => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  return { bodies: gauge('berth_unverified_bodies'), bytes: gauge('berth_unverified_body_bytes') };
}

/** Runs `berth <args>` to completion (or SIGKILLs it after `killAfterMs`) and returns its exit code and output. */
export async function runBerth(
  args: string[],
  env: Record<string, string> = {},
  o: { killAfterMs?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const stores = await backend(args);
  const child = spawn(BERTH_BIN, [...args, ...stores.args], {
    env: { ...process.env, ...NODE_FIRST, ...stores.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const killer = o.killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), o.killAfterMs);
  child.on('exit', () => clearTimeout(killer));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
  return { code, stdout, stderr };
}

export async function startBerth(options: StartOptions = {}): Promise<RunningBerth> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'berth-e2e-')));
  const args = ['serve', '--listen', options.listen ?? '127.0.0.1:0', '--data', dataDir, ...(options.args ?? [])];
  const stores = await backend(args);
  // Run as a program (shebang and all), exactly as `npx berth` does.
  const child = spawn(BERTH_BIN, [...args, ...stores.args], {
    env: { ...process.env, ...NODE_FIRST, BERTH_LOG_LEVEL: process.env.BERTH_LOG_LEVEL ?? 'warn', ...stores.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`berth did not start within 20 s:\n${out}`)), 20_000);
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        res(m[1]!);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`berth exited with ${code} before listening:\n${out}`));
    });
  });
  const exited = new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  return {
    url,
    host: url.replace(/^http:\/\//, ''),
    dataDir,
    process: child,
    output: () => out,
    stop,
    dispose: async () => {
      await stop();
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Starts a PATCH that sends `first` bytes and then stalls, like a slow client; `finish` sends the rest. */
export function slowPatch(
  url: string,
  location: string,
  first: Buffer,
  rest: Buffer,
  headers: Record<string, string> = {},
): { done: Promise<number>; finish: () => void } {
  let finish = (): void => undefined;
  const done = new Promise<number>((resolve, reject) => {
    const all = { 'content-type': 'application/octet-stream', 'content-length': first.length + rest.length, ...headers };
    const req = request(new URL(location, url), { method: 'PATCH', headers: all }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.write(first);
    finish = () => req.end(rest);
  });
  return { done, finish: () => finish() };
}
