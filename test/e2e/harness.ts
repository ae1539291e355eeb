// Starts berth as a real process on a free loopback port, as every end-to-end test must, and stops it cleanly.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
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

/** Runs `berth <args>` to completion and returns its exit code and output. */
export async function runBerth(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(BERTH_BIN, args, { env: { ...process.env, ...NODE_FIRST, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
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
  // Run as a program (shebang and all), exactly as `npx berth` does.
  const child = spawn(BERTH_BIN, args, {
    env: { ...process.env, ...NODE_FIRST, BERTH_LOG_LEVEL: process.env.BERTH_LOG_LEVEL ?? 'warn', ...options.env },
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
