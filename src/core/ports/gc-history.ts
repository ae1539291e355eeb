// The history of GC passes in the metadata store, so every replica (and the CLI) sees the same passes, their progress
// while they run and their reports after: written by the pass that runs, read by the berth API and the console.

/** What started a pass. */
export type GcTrigger = 'schedule' | 'api' | 'cli';

/** running: its process renews it; done: it ended with a report; failed: it threw, or its process died (abandoned). */
export type GcPassState = 'running' | 'done' | 'failed';

export interface GcPassProgress {
  phase: string;
  done: number;
  total: number | null;
}

/** What a finished pass reclaimed, kept as columns so per-day sums need not parse reports. */
export interface GcPassTotals {
  blobsRemoved: number;
  bytesReclaimed: number;
}

export interface GcPass {
  id: number;
  trigger: GcTrigger;
  dryRun: boolean;
  state: GcPassState;
  startedAt: Date;
  finishedAt: Date | null;
  /** The process that runs (ran) it. */
  replica: string;
  progress: GcPassProgress | null;
  /** The pass report as the pass wrote it (JSON-ready); null until it is done. */
  report: Readonly<Record<string, unknown>> | null;
  error: string | null;
  /** Last written (start, progress, heartbeat, end). */
  updatedAt: Date;
  /** A running pass not renewed by then belongs to a dead process and reads as failed. */
  leaseUntil: Date;
}

export interface NewGcPass {
  trigger: GcTrigger;
  dryRun: boolean;
  replica: string;
  at: Date;
  leaseUntil: Date;
  /** Only the newest `keep` passes are kept (older ones go in the same transaction). */
  keep: number;
}

export type GcPassEnd = { state: 'done'; report: Readonly<Record<string, unknown>>; totals: GcPassTotals } | { state: 'failed'; error: string };

export interface GcReclaimedDay {
  /** Days since the epoch (UTC). */
  day: number;
  bytes: number;
  blobs: number;
  passes: number;
}

export interface GcHistory {
  /** Records a pass as running and returns it; marks running passes whose lease ran out before `at` failed. */
  startGcPass(p: NewGcPass): Promise<GcPass>;
  /** Its progress and a renewed lease (only while it is running). */
  progressGcPass(id: number, progress: GcPassProgress | null, at: Date, leaseUntil: Date): Promise<void>;
  /** Ends a running pass with its report or its error. */
  finishGcPass(id: number, end: GcPassEnd, at: Date): Promise<void>;
  /** A pass by id; one still "running" past its lease at `now` reads as failed (abandoned). Null when unknown. */
  findGcPass(id: number, now: Date): Promise<GcPass | null>;
  /** Newest first, ids below `before`; the same abandoned rule. */
  listGcPasses(page: { before?: number | undefined; limit: number }, now: Date): Promise<GcPass[]>;
  /** The newest real (not dry-run) pass that ended with a report. */
  lastDoneGcPass(): Promise<GcPass | null>;
  /** Per UTC day with any real pass done at or after `since`: bytes and blobs reclaimed, passes; oldest first. */
  gcReclaimedByDay(since: Date): Promise<GcReclaimedDay[]>;
}
