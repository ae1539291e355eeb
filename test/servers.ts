// The real PostgreSQL and S3 (Ceph RADOS Gateway) servers the scale-out tests run against. scripts/test.sh starts one
// of each for the whole run and exports their coordinates; a test file run on its own starts its own (and stops it
// when the process exits). Under CI=true a server that cannot start fails the test, never skips it.
import { execFile, execSync } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SCRIPTS = resolve(import.meta.dirname, '../scripts/servers');

export interface PostgresServer {
  /** postgres://USER:PASSWORD@127.0.0.1:PORT/DB */
  url: string;
}

export interface S3Server {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
}

function parseEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!.replace(/^'(.*)'$/, '$1');
  }
  return out;
}

const stops: string[] = [];
process.once('exit', () => {
  // Synchronous on purpose: an exit handler cannot wait for promises.
  for (const stop of stops) {
    try {
      execSync(stop, { stdio: 'ignore' });
    } catch {
      // best effort: the temp dir is left behind, nothing else
    }
  }
});

async function start(script: string): Promise<Record<string, string>> {
  const { stdout } = await run('bash', [resolve(SCRIPTS, script)], {
    maxBuffer: 1 << 20,
    env: { ...process.env, S3_STORE: process.env.S3_STORE ?? 'memstore' },
  });
  const env = parseEnv(stdout);
  if (env.STOP) stops.push(env.STOP);
  return env;
}

let pg: Promise<PostgresServer> | undefined;
/** The shared PostgreSQL server (BERTH_TEST_PG_URL), or one started for this process. */
export function postgresServer(): Promise<PostgresServer> {
  const fromEnv = process.env.BERTH_TEST_PG_URL;
  if (fromEnv) return Promise.resolve({ url: fromEnv });
  pg ??= start('start-postgres.sh').then((env) => {
    if (!env.PGURL) throw new Error('start-postgres.sh printed no PGURL');
    return { url: env.PGURL };
  });
  return pg;
}

let s3: Promise<S3Server> | undefined;
/** The shared S3 server (BERTH_TEST_S3_* variables), or one started for this process. */
export function s3Server(): Promise<S3Server> {
  const e = process.env;
  if (e.BERTH_TEST_S3_ENDPOINT) {
    return Promise.resolve({
      endpoint: e.BERTH_TEST_S3_ENDPOINT,
      region: e.BERTH_TEST_S3_REGION ?? 'us-east-1',
      bucket: e.BERTH_TEST_S3_BUCKET ?? 'registry',
      accessKeyId: e.BERTH_TEST_S3_ACCESS_KEY ?? '',
      secretAccessKey: e.BERTH_TEST_S3_SECRET_KEY ?? '',
    });
  }
  s3 ??= start('start-s3.sh').then((env) => {
    if (!env.S3_ENDPOINT) throw new Error('start-s3.sh printed no S3_ENDPOINT');
    return {
      endpoint: env.S3_ENDPOINT,
      region: env.S3_REGION ?? 'us-east-1',
      bucket: env.S3_BUCKET!,
      accessKeyId: env.S3_ACCESS_KEY!,
      secretAccessKey: env.S3_SECRET_KEY!,
    };
  });
  return s3;
}
