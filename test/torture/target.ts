// What the torture drives: one berth process (TortureServer) or N replicas behind the round-robin proxy
// (TortureReplicas). Clients, the observer and the engine see only this, so every scenario runs against both.

/** One running berth process, for per-process readings (its /metrics restart with it). */
export interface TortureProcess {
  /** Unique per process generation, e.g. "r1#3" (replica 1, third start). */
  id: string;
  url: string;
}

export interface TortureTarget {
  /** How many SIGKILLs so far: a request that fails while this did not move is suspicious. */
  readonly kills: number;
  /** The base URL clients send to (the proxy when there are replicas); throws while nothing is up. */
  url(): string;
  /** Whether url() answers right now. */
  isUp(): boolean;
  /** Resolves once url() answers (at once when it does); rejects if a restart failed or `timeoutMs` passed. */
  waitUp(timeoutMs?: number): Promise<void>;
  /** Starts every process that is down (on the same data), with `extraEnv` added. */
  startDown(extraEnv?: Record<string, string>): Promise<void>;
  /** SIGKILLs one process (a replica at a time when there are several); the kill counts before the signal goes. */
  killOne(): Promise<void>;
  /** SIGKILLs every process. */
  killAll(): Promise<void>;
  /** SIGTERMs every process; the first non-zero exit code, or 0. */
  stopAll(): Promise<number | null>;
  processes(): TortureProcess[];
  /** Output of every process so far (stopped ones and the current ones); stopped ones are forgotten once read. */
  drainLogs(): string[];
  /** Store flags and environment a `berth` CLI child needs to work on the same stores (gc, fsck). */
  cliStores(): Promise<{ args: string[]; env: Record<string, string> }>;
}
