// The GC pass history (docs/DELETION.md, "Pass history"): one row per pass, renewed while it runs and ended with its
// report or error. A row still "running" past its lease is read as failed, and marked so by the next pass's start.
import type { GcPass, GcPassEnd, GcPassProgress, GcReclaimedDay, GcTrigger, NewGcPass } from '../../../core/index.ts';
import { all, get, type Q, run } from '../sql/query.ts';

/** What a reader sees for a pass whose process stopped renewing it. */
export const ABANDONED = 'abandoned: the process running this pass stopped without finishing it';

const DAY_MS = 86_400_000;
const COLUMNS = `id, started_by, dry_run, state, replica, started_at, updated_at, lease_until, finished_at, phase, done, total, report, error`;

type Num = number | string;
interface PassRow {
  id: Num;
  started_by: string;
  dry_run: Num;
  state: string;
  replica: string;
  started_at: Num;
  updated_at: Num;
  lease_until: Num;
  finished_at: Num | null;
  phase: string | null;
  done: Num | null;
  total: Num | null;
  report: string | null;
  error: string | null;
}

function toPass(r: PassRow, now: Date | null): GcPass {
  const leaseUntil = new Date(Number(r.lease_until));
  const abandoned = r.state === 'running' && now !== null && leaseUntil < now;
  return {
    id: Number(r.id),
    trigger: r.started_by as GcTrigger,
    dryRun: Number(r.dry_run) === 1,
    state: abandoned ? 'failed' : (r.state as GcPass['state']),
    startedAt: new Date(Number(r.started_at)),
    finishedAt: r.finished_at !== null ? new Date(Number(r.finished_at)) : abandoned ? leaseUntil : null,
    replica: r.replica,
    progress: r.phase !== null ? { phase: r.phase, done: Number(r.done ?? 0), total: r.total === null ? null : Number(r.total) } : null,
    report: r.report !== null ? (JSON.parse(r.report) as Record<string, unknown>) : null,
    error: abandoned ? ABANDONED : r.error,
    updatedAt: new Date(Number(r.updated_at)),
    leaseUntil,
  };
}

export function* startGcPass(p: NewGcPass): Q<GcPass> {
  yield* run(
    `UPDATE gc_passes SET state = 'failed', finished_at = lease_until, error = $1 WHERE state = 'running' AND lease_until < $2`,
    ABANDONED,
    p.at.getTime(),
  );
  const row = yield* get<PassRow>(
    `INSERT INTO gc_passes (started_by, dry_run, state, replica, started_at, updated_at, lease_until)
      VALUES ($1, $2, 'running', $3, $4, $4, $5) RETURNING ${COLUMNS}`,
    p.trigger,
    p.dryRun ? 1 : 0,
    p.replica,
    p.at.getTime(),
    p.leaseUntil.getTime(),
  );
  const edge = yield* get<{ id: Num }>('SELECT id FROM gc_passes ORDER BY id DESC LIMIT 1 OFFSET $1', Math.max(1, p.keep));
  if (edge) yield* run('DELETE FROM gc_passes WHERE id <= $1', Number(edge.id));
  return toPass(row!, null);
}

export function* progressGcPass(id: number, progress: GcPassProgress | null, at: Date, leaseUntil: Date): Q<void> {
  if (progress === null) {
    yield* run(`UPDATE gc_passes SET updated_at = $2, lease_until = $3 WHERE id = $1 AND state = 'running'`, id, at.getTime(), leaseUntil.getTime());
    return;
  }
  yield* run(
    `UPDATE gc_passes SET updated_at = $2, lease_until = $3, phase = $4, done = $5, total = $6 WHERE id = $1 AND state = 'running'`,
    id,
    at.getTime(),
    leaseUntil.getTime(),
    progress.phase,
    progress.done,
    progress.total,
  );
}

export function* finishGcPass(id: number, end: GcPassEnd, at: Date): Q<void> {
  // A pass taken for abandoned (its process stalled past the lease) that ends after all still records how it ended.
  yield* run(
    `UPDATE gc_passes SET state = $2, updated_at = $3, finished_at = $3, report = $4, error = $5, blobs_removed = $6, bytes_reclaimed = $7
      WHERE id = $1 AND (state = 'running' OR error = $8)`,
    id,
    end.state,
    at.getTime(),
    end.state === 'done' ? JSON.stringify(end.report) : null,
    end.state === 'failed' ? end.error : null,
    end.state === 'done' ? end.totals.blobsRemoved : null,
    end.state === 'done' ? end.totals.bytesReclaimed : null,
    ABANDONED,
  );
}

export function* findGcPass(id: number, now: Date): Q<GcPass | null> {
  const row = yield* get<PassRow>(`SELECT ${COLUMNS} FROM gc_passes WHERE id = $1`, id);
  return row ? toPass(row, now) : null;
}

export function* listGcPasses(page: { before?: number | undefined; limit: number }, now: Date): Q<GcPass[]> {
  const rows = yield* all<PassRow>(
    `SELECT ${COLUMNS} FROM gc_passes WHERE id < $1 ORDER BY id DESC LIMIT $2`,
    page.before ?? Number.MAX_SAFE_INTEGER,
    Math.max(0, page.limit),
  );
  return rows.map((r) => toPass(r, now));
}

export function* lastDoneGcPass(): Q<GcPass | null> {
  const row = yield* get<PassRow>(`SELECT ${COLUMNS} FROM gc_passes WHERE state = 'done' AND dry_run = 0 ORDER BY id DESC LIMIT 1`);
  return row ? toPass(row, null) : null;
}

export function* gcReclaimedByDay(since: Date): Q<GcReclaimedDay[]> {
  const rows = yield* all<{ day: Num; bytes: Num | null; blobs: Num | null; passes: Num }>(
    `SELECT finished_at / ${DAY_MS} AS day, SUM(bytes_reclaimed) AS bytes, SUM(blobs_removed) AS blobs, COUNT(*) AS passes
      FROM gc_passes WHERE state = 'done' AND dry_run = 0 AND finished_at >= $1 GROUP BY finished_at / ${DAY_MS} ORDER BY day`,
    since.getTime(),
  );
  return rows.map((r) => ({ day: Number(r.day), bytes: Number(r.bytes ?? 0), blobs: Number(r.blobs ?? 0), passes: Number(r.passes) }));
}
