// Garbage collection and the consistency check as use cases over the ports: GC is the main writer besides pushes
// and deletes, so it lives with them under the same rules (no HTTP, SQL, filesystem; writes only here).

export { DEFAULT_STRAY_AGE_MS, type FsckDeps, type FsckOptions, type FsckReport, runFsck } from './fsck.ts';
export * from './options.ts';
export { planGc } from './plan.ts';
export * from './record-pass.ts';
export { BATCH, runGc } from './sweep.ts';
