// The torture target with N berth replicas on shared stores behind the round-robin proxy: clients talk to the
// proxy, every replica runs online GC, and kills hit one replica at a time (the proxy stops routing to it first),
// so the run races GC passes of several processes against pushes, deletes and crashes spread over all of them.
import { Cluster } from '../e2e/replicas-cluster.ts';
import type { Backend } from '../e2e/replicas-stores.ts';
import type { TortureProcess, TortureTarget } from './target.ts';
import { UpSignal } from './up-signal.ts';

export class TortureReplicas implements TortureTarget {
  readonly cluster: Cluster;
  #kills = 0;
  #next = 0;
  readonly #starts: number[];
  readonly #up = new UpSignal();

  private constructor(cluster: Cluster) {
    this.cluster = cluster;
    this.#starts = Array.from({ length: cluster.size }, () => 1);
  }

  static async start(o: { backend: Backend; replicas: number; env: Record<string, string> }): Promise<TortureReplicas> {
    return new TortureReplicas(await Cluster.start({ backend: o.backend, label: 'torture', replicas: o.replicas, env: o.env }));
  }

  get kills(): number {
    return this.#kills;
  }

  url(): string {
    if (!this.isUp()) throw new Error('every replica is down');
    return this.cluster.proxy.url;
  }

  isUp(): boolean {
    return Array.from({ length: this.cluster.size }, (_, i) => this.cluster.isUp(i)).some(Boolean);
  }

  async waitUp(timeoutMs = 60_000): Promise<void> {
    if (this.isUp()) return;
    await this.#up.wait(timeoutMs, 'no replica was back');
  }

  async startDown(extraEnv: Record<string, string> = {}): Promise<void> {
    for (let i = 0; i < this.cluster.size; i++) {
      if (this.cluster.isUp(i)) continue;
      try {
        await this.cluster.startReplica(i, extraEnv);
      } catch (e) {
        this.#up.wake(e);
        throw e;
      }
      this.#starts[i]!++;
      this.#up.wake(null);
    }
  }

  /** The next live replica in turn, so every one of them is killed over a run. */
  async killOne(): Promise<void> {
    for (let k = 0; k < this.cluster.size; k++) {
      const i = this.#next++ % this.cluster.size;
      if (!this.cluster.isUp(i)) continue;
      this.#kills++;
      await this.cluster.stopReplica(i, 'SIGKILL');
      return;
    }
  }

  async killAll(): Promise<void> {
    this.#kills++;
    await Promise.all(Array.from({ length: this.cluster.size }, (_, i) => this.cluster.stopReplica(i, 'SIGKILL')));
  }

  async stopAll(): Promise<number | null> {
    const codes = await Promise.all(Array.from({ length: this.cluster.size }, (_, i) => this.cluster.stopReplica(i, 'SIGTERM')));
    return codes.find((c) => c !== 0 && c !== null) ?? 0;
  }

  processes(): TortureProcess[] {
    const out: TortureProcess[] = [];
    for (let i = 0; i < this.cluster.size; i++) if (this.cluster.isUp(i)) out.push({ id: `r${i}#${this.#starts[i]}`, url: this.cluster.replica(i).url });
    return out;
  }

  drainLogs(): string[] {
    const out = [...this.cluster.logs.splice(0), this.cluster.output()];
    return out;
  }

  async dispose(o: { keepStores?: boolean } = {}): Promise<void> {
    await this.cluster.dispose(o);
  }

  cliStores(): Promise<{ args: string[]; env: Record<string, string> }> {
    return this.cluster.cliStores();
  }
}
