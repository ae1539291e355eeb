// A live progress bar for long GC passes and retention runs (items, bytes, rate, ETA) on a terminal; nothing at all when stderr is a
// pipe or a file, so logs and scripts only ever see the final summary.
import { SingleBar } from 'cli-progress';
import type { GcProgress } from '../core/index.ts';
import { formatBytes } from './context.ts';

/** What a bar shows: GC's progress, or any other long pass's (a retention run names its repository as the phase). */
export type BarProgress = Omit<GcProgress, 'phase'> & { phase: string };

export interface ProgressDisplay {
  update(p: BarProgress): void;
  stop(): void;
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '-';
  if (s < 60) return `${Math.ceil(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.ceil(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Null when `stream` is not a terminal. */
export function gcProgressBar(stream: NodeJS.WriteStream, label = 'gc'): ProgressDisplay | null {
  if (!stream.isTTY) return null;
  const bar = new SingleBar({
    stream,
    format: `${label} {phase} [{bar}] {items} | {bytes} | {rate}/s | ETA {remaining}`,
    barsize: 30,
    hideCursor: true,
    fps: 10,
  });
  let phase = '';
  // A phase starts when the one before it reported last, so its first batch counts towards its rate.
  let phaseStart = Date.now();
  let lastEvent = phaseStart;
  let stopped = false;
  bar.start(1, 0, { phase: 'starting', items: '0', bytes: '-', rate: '0', remaining: '-' });
  return {
    update(p) {
      const now = Date.now();
      if (p.phase !== phase) {
        phase = p.phase;
        phaseStart = lastEvent;
      }
      lastEvent = now;
      const rate = p.done / Math.max((now - phaseStart) / 1000, 0.001);
      if (p.total !== null) bar.setTotal(Math.max(p.total, 1));
      bar.update(p.total !== null ? p.done : 0, {
        phase: p.phase,
        items: p.total !== null ? `${p.done}/${p.total}` : String(p.done),
        bytes: p.totalBytes !== null ? `${formatBytes(p.bytes)}/${formatBytes(p.totalBytes)}` : p.bytes > 0 ? formatBytes(p.bytes) : '-',
        rate: rate.toFixed(rate < 10 ? 1 : 0),
        remaining: p.total !== null && rate > 0 ? formatSeconds(Math.max(p.total - p.done, 0) / rate) : '-',
      });
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}
