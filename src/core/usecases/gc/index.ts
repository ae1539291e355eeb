// Garbage collection and the consistency check as use cases over the ports: GC is the main writer besides pushes
// and deletes, so it lives with them under the same rules (no HTTP, SQL, filesystem; writes only here).
export * from './options.ts';
export { runGc, BATCH } from './sweep.ts';
export { planGc } from './plan.ts';
export { runFsck, type FsckDeps, type FsckReport } from './fsck.ts';
