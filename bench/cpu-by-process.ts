// Where a workload's CPU went, process by process: on the project's two cores the scale-out rows share the machine
// with the object store, PostgreSQL and the load generator, and only this shows whether the registry or the rest is
// the limit (a registry that cost nothing could still go no faster than two cores over what the others spend).
import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU seconds so far of every process on the machine, by pid, with its command name and start time. The start time,
 * not the name, tells a reused pid: kernel workers rename themselves by the job they run (kworker/1:2-events, then
 * kworker/1:2-mm_percpu_wq), and a renamed one charged with its whole lifetime once put seconds of "kworker" into a
 * quarter-second window.
 */
type Snapshot = Map<number, { comm: string; startTicks: number; seconds: number }>;

const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux this runs on (sysconf(_SC_CLK_TCK))

/** One process's line of `/proc/<pid>/stat`: its command name, start time and CPU seconds (user + system) so far. */
function processStat(pid: number | string): { comm: string; startTicks: number; seconds: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // comm is in parentheses and may hold spaces; utime, stime and starttime are fields 14, 15 and 22, counted from after it.
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { comm: stat.slice(stat.indexOf('(') + 1, close), startTicks: Number(fields[19]), seconds: ticks / TICKS_PER_SECOND };
}

/** CPU seconds (user + system, every thread) that process `pid` has used so far. */
export function cpuSecondsOf(pid: number): number {
  return processStat(pid).seconds;
}

function snapshot(): Snapshot {
  const out: Snapshot = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      out.set(Number(entry), processStat(entry));
    } catch {
      // exited between the listing and the read
    }
  }
  return out;
}

/** CPU milliseconds by group: the named pids under their label, the rest under their command name. */
export type CpuByGroup = Record<string, number>;

/**
 * Runs `work` and returns what each process spent meanwhile, grouped: `labels` names known pids (the registry, the
 * bench itself); every other process goes under its command name (radosgw, ceph-osd, postgres, kworker ...). Processes that
 * started and ended within `work` are not seen; groups under 1 % of the total are summed as "other".
 */
export async function cpuDuring<T>(labels: Map<number, string>, work: () => Promise<T>): Promise<{ result: T; cpuMs: CpuByGroup }> {
  const before = snapshot();
  const result = await work();
  const after = snapshot();
  const groups = new Map<string, number>();
  for (const [pid, now] of after) {
    const was = before.get(pid);
    const spent = now.seconds - (was?.startTicks === now.startTicks ? was.seconds : 0);
    if (spent <= 0) continue;
    // Kernel threads are named per CPU and job (kworker/1:2-events): one group per kind.
    const group = labels.get(pid) ?? now.comm.replace(/\/.*$/, '');
    groups.set(group, (groups.get(group) ?? 0) + spent * 1000);
  }
  const total = [...groups.values()].reduce((a, b) => a + b, 0);
  const cpuMs: CpuByGroup = {};
  for (const [group, ms] of [...groups].sort((a, b) => b[1] - a[1])) {
    const key = ms < total / 100 ? 'other' : group;
    cpuMs[key] = (cpuMs[key] ?? 0) + ms;
  }
  return { result, cpuMs };
}
