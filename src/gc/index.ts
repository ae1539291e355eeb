// Public surface of online garbage collection and the consistency check.
export * from './options.ts';
export { runGc, BATCH } from './sweep.ts';
export { planGc } from './plan.ts';
export { GcScheduler, type GcStatus, type GcTotals } from './scheduler.ts';
export { runFsck, type FsckReport } from './fsck.ts';
