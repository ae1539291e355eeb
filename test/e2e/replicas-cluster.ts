// N berth replicas as real processes on one set of shared stores, behind the round-robin proxy: started, killed
// (-9, one at a time) and restarted on their own data dirs, with access keys made by `berth key create` against the
// same stores and secrets, and the stores opened in-process (openRegistry, same config) for end-of-test checks.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index.ts';
import { type OpenedRegistry, openRegistry } from '../../src/main.ts';
import { type RunningBerth, runBerth, startBerth } from './harness.ts';
import { type ProxyOptions, RoundRobinProxy } from './replicas-proxy.ts';
import { type Backend, type SharedStores, sharedStores } from './replicas-stores.ts';

export interface ClusterOptions {
  backend: Backend;
  /** Names this cluster's schema / prefix, for finding leftovers. */
  label: string;
  replicas: number;
  /** Extra environment for every replica (BERTH_GC_GRACE, BERTH_AUTH, ...). */
  env?: Record<string, string>;
  route?: ProxyOptions['route'];
}

export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
}

export class Cluster {
  readonly stores: SharedStores;
  readonly proxy: RoundRobinProxy;
  readonly #env: Record<string, string>;
  readonly #running: Array<RunningBerth | null>;
  /** Output of stopped or killed processes, for diagnostics. */
  readonly logs: string[] = [];

  private constructor(stores: SharedStores, proxy: RoundRobinProxy, env: Record<string, string>, n: number) {
    this.stores = stores;
    this.proxy = proxy;
    this.#env = env;
    this.#running = Array.from({ length: n }, () => null);
  }

  static async start(o: ClusterOptions): Promise<Cluster> {
    const stores = await sharedStores(o.backend, o.label);
    let cluster: Cluster | undefined;
    try {
      const proxy = await RoundRobinProxy.start({ backends: Array.from({ length: o.replicas }, () => null), route: o.route });
      cluster = new Cluster(stores, proxy, { ...stores.env, ...o.env }, o.replicas);
      // One at a time: the first one creates the schema; the others must find it (concurrent starts are the adapters' own test).
      for (let i = 0; i < o.replicas; i++) await cluster.startReplica(i);
      return cluster;
    } catch (e) {
      if (cluster) await cluster.dispose();
      else await stores.dispose();
      throw e;
    }
  }

  get size(): number {
    return this.#running.length;
  }

  /** The running replica `i`; throws while it is down. */
  replica(i: number): RunningBerth {
    const r = this.#running[i];
    if (!r) throw new Error(`replica ${i} is down`);
    return r;
  }

  isUp(i: number): boolean {
    return this.#running[i] !== null;
  }

  dataDir(i: number): string {
    return join(this.stores.root, `replica-${i}`);
  }

  async startReplica(i: number, extraEnv: Record<string, string> = {}): Promise<RunningBerth> {
    if (this.#running[i]) throw new Error(`replica ${i} is already running`);
    await mkdir(this.dataDir(i), { recursive: true });
    const r = await startBerth({
      dataDir: this.dataDir(i),
      args: ['--meta', this.stores.meta, '--blobs', this.stores.blobs],
      env: { ...this.#env, ...extraEnv },
    });
    this.#running[i] = r;
    this.proxy.setBackend(i, r.url);
    return r;
  }

  /** Takes replica `i` out of rotation first (as a health-checking LB would), then signals it and waits for the exit. */
  async stopReplica(i: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    const r = this.#running[i];
    if (!r) return null;
    this.proxy.setBackend(i, null);
    this.#running[i] = null;
    const timer = setTimeout(() => r.process.kill('SIGKILL'), 20_000);
    const code = await r.stop(signal);
    clearTimeout(timer);
    this.logs.push(`--- replica ${i} (${signal}) ---\n${r.output().slice(-16_384)}`);
    return code;
  }

  /** Runs the CLI against the cluster's stores and secrets (its own scratch data dir). */
  async cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const stores = await this.cliStores();
    return runBerth([...args, ...stores.args], stores.env);
  }

  /** The flags and environment of a CLI call on the cluster's stores. */
  async cliStores(): Promise<{ args: string[]; env: Record<string, string> }> {
    const data = join(this.stores.root, 'cli');
    await mkdir(data, { recursive: true });
    return { args: ['--data', data, '--meta', this.stores.meta, '--blobs', this.stores.blobs], env: this.#env };
  }

  async createKey(name = 'replicas'): Promise<AccessKey> {
    const r = await this.cli(['key', 'create', '--name', name, '--admin', '--json']);
    if (r.code !== 0) throw new Error(`berth key create failed (${r.code}): ${r.stderr}`);
    return JSON.parse(r.stdout) as AccessKey;
  }

  /** The shared stores opened in this process, exactly as a replica opens them. */
  open(env: Record<string, string> = {}): Promise<OpenedRegistry> {
    const data = join(this.stores.root, 'in-process');
    return openRegistry(loadConfig({ env: { ...this.#env, ...env }, flags: { data, meta: this.stores.meta, blobs: this.stores.blobs } }));
  }

  /** Everything the replicas wrote (running and stopped), for assertion messages. */
  output(): string {
    return [...this.logs, ...this.#running.map((r, i) => (r ? `--- replica ${i} ---\n${r.output().slice(-16_384)}` : ''))].join('\n');
  }

  /** Stops every replica and the proxy; the stores go too unless kept (a failed torture run keeps them to look at). */
  async dispose(o: { keepStores?: boolean } = {}): Promise<void> {
    await Promise.all(this.#running.map((_, i) => this.stopReplica(i, 'SIGTERM').catch(() => null)));
    await this.proxy.close();
    if (!o.keepStores) await this.stores.dispose();
  }
}
