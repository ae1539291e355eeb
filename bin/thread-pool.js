// Sizes libuv's thread pool before anything uses it (it is fixed at first use), for `berth` and for the benchmark that
// runs berth's GC in its own process. Every file operation runs there: pulls' reads, pushes' writes and fdatasyncs,
// GC's unlinks. Node's default of 4 lets four fdatasyncs (a few ms each on this disk) stall every other file
// operation, and caps GC's 16 unlinks in flight at 4: with 16 threads the GC sweep ran 9,500-12,073 blobs/s against
// 8,486-10,546 with 4, interleaved (`npm run bench -- --only-gc`), and peak RSS under the bench stayed 187 vs 186 MiB.
// An operator's own UV_THREADPOOL_SIZE wins (empty counts as unset).
const THREAD_POOL_SIZE = '16';
if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = THREAD_POOL_SIZE;
