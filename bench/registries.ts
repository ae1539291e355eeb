// Starts the registries the benchmark compares, each as a real process on a free loopback port with its own
// storage under the bench's temp dir: berth (via the e2e harness) and CNCF Distribution (Debian's docker-registry).
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startBerth } from '../test/e2e/harness.ts';
import type { S3Server } from '../test/servers.ts';

export interface Registry {
  /** Column name: "berth" or "distribution". */
  name: string;
  /** What actually runs, e.g. "docker-registry 2.8.2" in --self-test. */
  software: string;
  url: string;
  pid: number;
  /** Peak resident set size so far (VmHWM), MiB. */
  peakRssMiB(): Promise<number>;
  stop(): Promise<void>;
}

/** The peak resident set size (VmHWM) of `pid` so far, MiB. */
export async function peakRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const { port } = server.address() as { port: number };
  await new Promise((res) => server.close(res));
  return port;
}

export async function startBerthRegistry(dir: string): Promise<Registry> {
  const dataDir = join(dir, 'berth-data');
  await mkdir(dataDir);
  const berth = await startBerth({ dataDir, env: { BERTH_LOG_LEVEL: process.env.BERTH_LOG_LEVEL ?? 'warn' } });
  const pid = berth.process.pid!;
  const stop = async (): Promise<void> => {
    const timer = setTimeout(() => berth.process.kill('SIGKILL'), 10_000);
    await berth.stop();
    clearTimeout(timer);
  };
  return { name: 'berth', software: 'berth (node bin/berth.js serve)', url: berth.url, pid, peakRssMiB: () => peakRss(pid), stop };
}

export function distributionVersion(): string {
  const r = spawnSync('docker-registry', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : 'unknown';
}

/** The bench must run on a fresh Debian machine too, so it installs what it runs when it is missing. */
export function ensureCommand(command: string, pkg: string): void {
  if (spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0) return;
  process.stderr.write(`bench: installing ${pkg} with apt-get\n`);
  const r = spawnSync('sh', ['-c', `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${pkg}`], { stdio: ['ignore', 2, 2] });
  if (r.status !== 0) throw new Error(`could not install ${pkg} with apt-get`);
}

/** Where Distribution keeps blobs: its filesystem driver (the default) or its s3 driver on the bench's RGW. */
export type DistributionStorage = { kind: 'filesystem' } | { kind: 's3'; s3: S3Server; prefix: string };

function storageLines(home: string, storage: DistributionStorage): string[] {
  if (storage.kind === 'filesystem') return ['  filesystem:', `    rootdirectory: ${join(home, 'storage')}`];
  const { s3, prefix } = storage;
  // regionendpoint makes the 2.8 driver use path-style requests against RGW; secure follows the endpoint's scheme.
  return [
    '  s3:',
    `    accesskey: ${s3.accessKeyId}`,
    `    secretkey: ${s3.secretAccessKey}`,
    `    region: ${s3.region}`,
    `    regionendpoint: ${s3.endpoint}`,
    `    bucket: ${s3.bucket}`,
    `    rootdirectory: /${prefix}`,
    `    secure: ${s3.endpoint.startsWith('https:')}`,
    '    v4auth: true',
  ];
}

/** Debian's packaged config minus auth and health checks; access log off so it is not charged for logging. */
function distributionConfig(home: string, storage: DistributionStorage, port: number): string {
  return [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  cache:',
    '    blobdescriptor: inmemory',
    ...storageLines(home, storage),
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '',
  ].join('\n');
}

export async function startDistribution(dir: string, name = 'distribution', storage: DistributionStorage = { kind: 'filesystem' }): Promise<Registry> {
  ensureCommand('docker-registry', 'docker-registry'); // every section that starts it (--only-backends too) installs it
  const home = join(dir, `${name}-data`);
  await mkdir(home);
  const port = await freePort();
  const config = join(home, 'config.yml');
  await writeFile(config, distributionConfig(home, storage, port));
  // The AWS SDK in Distribution would trust only AWS_CA_BUNDLE's CAs when a machine sets one; RGW here is plain HTTP.
  const { AWS_CA_BUNDLE: _ca, ...env } = process.env;
  const child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'], env });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-8192)));
  let spawnFailed = false;
  child.once('error', (e) => {
    spawnFailed = true;
    err += String(e);
  });
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (spawnFailed || child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`docker-registry did not answer /v2/ with 200 within 20 s: ${err}`);
    }
    const ok = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const pid = child.pid!;
  return {
    name,
    software: distributionVersion(),
    url,
    pid,
    peakRssMiB: () => peakRss(pid),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
