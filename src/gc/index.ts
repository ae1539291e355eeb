// The GC and retention timers of `berth serve`: owns a setInterval and the process's one-pass-at-a-time state, so it is wiring
// beside core, not core; the passes themselves are use cases in src/core/usecases/gc.

export { LifecycleScheduler } from './lifecycle-scheduler.ts';
export { GcScheduler, type GcStatus, type GcTotals, replicaName } from './scheduler.ts';
