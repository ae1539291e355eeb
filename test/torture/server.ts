// The berth process under torture: started on a fixed data dir, killed with SIGKILL at random points and started
// again on the same data. Clients read the current URL for every request and wait here while the server is down.
import { type RunningBerth, startBerth } from '../e2e/harness.ts';
import type { TortureProcess, TortureTarget } from './target.ts';
import { UpSignal } from './up-signal.ts';

export interface ServerSettings {
  dataDir: string;
  /** Extra environment (BERTH_GC_GRACE, BERTH_GC_INTERVAL, BERTH_DELETION_RESTORE_WINDOW, ...). */
  env: Record<string, string>;
}

export class TortureServer implements TortureTarget {
  readonly dataDir: string;
  readonly #env: Record<string, string>;
  #berth: RunningBerth | null = null;
  /** Clients waiting while the server is down; settled by the next start. */
  readonly #up = new UpSignal();
  #kills = 0;
  #starts = 0;
  /** Output of every process generation, for diagnostics (the last few KiB of each). */
  readonly logs: string[] = [];

  constructor(s: ServerSettings) {
    this.dataDir = s.dataDir;
    this.#env = s.env;
  }

  /** How many times the server was killed so far: a request that fails while this did not move is suspicious. */
  get kills(): number {
    return this.#kills;
  }

  get starts(): number {
    return this.#starts;
  }

  get pid(): number | undefined {
    return this.#berth?.process.pid;
  }

  /** The current base URL; throws while down (callers wait with `waitUp` first). */
  url(): string {
    if (!this.#berth) throw new Error('berth is down');
    return this.#berth.url;
  }

  /** Resolves once a server is listening (at once when it is); rejects if a restart failed or `timeoutMs` passed. */
  async waitUp(timeoutMs = 60_000): Promise<void> {
    if (this.#berth) return;
    await this.#up.wait(timeoutMs, 'berth was not back');
  }

  async start(extraEnv: Record<string, string> = {}): Promise<void> {
    if (this.#berth) throw new Error('berth is already running');
    let started: RunningBerth;
    try {
      started = await startBerth({ dataDir: this.dataDir, env: { ...this.#env, ...extraEnv } });
    } catch (e) {
      this.#up.wake(e);
      throw e;
    }
    this.#berth = started;
    this.#starts++;
    this.#up.wake(null);
  }

  /** SIGKILL: no shutdown hook runs, in-flight requests are cut, whatever the process was doing stops mid-way. */
  async kill(): Promise<void> {
    const berth = this.#berth;
    if (!berth) return;
    this.#kills++;
    this.#berth = null;
    await berth.stop('SIGKILL');
    this.#keepLog(berth);
  }

  /** SIGTERM: the graceful path (drain, stop GC at a batch boundary, close stores). */
  async stop(): Promise<number | null> {
    const berth = this.#berth;
    if (!berth) return null;
    this.#berth = null;
    const timer = setTimeout(() => berth.process.kill('SIGKILL'), 20_000);
    const code = await berth.stop('SIGTERM');
    clearTimeout(timer);
    this.#keepLog(berth);
    return code;
  }

  /** Output of the current process so far. */
  output(): string {
    return this.#berth?.output() ?? '';
  }

  isUp(): boolean {
    return this.#berth !== null;
  }

  async startDown(extraEnv: Record<string, string> = {}): Promise<void> {
    if (!this.#berth) await this.start(extraEnv);
  }

  killOne(): Promise<void> {
    return this.kill();
  }

  killAll(): Promise<void> {
    return this.kill();
  }

  async stopAll(): Promise<number | null> {
    return this.stop();
  }

  processes(): TortureProcess[] {
    return this.#berth ? [{ id: `s#${this.#starts}`, url: this.#berth.url }] : [];
  }

  drainLogs(): string[] {
    const out = [...this.logs.splice(0), this.output()];
    return out;
  }

  #keepLog(berth: RunningBerth): void {
    this.logs.push(berth.output().slice(-16_384));
  }

  async cliStores(): Promise<{ args: string[]; env: Record<string, string> }> {
    return { args: ['--data', this.dataDir], env: this.#env };
  }
}
