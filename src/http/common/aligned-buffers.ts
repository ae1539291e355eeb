// Page-aligned read buffers for pulls. On AMD CPUs with fast short `rep movsb` (Zen 3 and later), the kernel copies a
// file into user memory 4-7x slower when the destination starts 1-31 bytes past a 4 KiB boundary, which is exactly
// where glibc puts a 1 MiB malloc (an mmap plus its 16-byte header): on the bench VM, cached pages copied at
// 1.3-1.7 GiB/s to 8 or 16 bytes past a page and 5.4-10.6 GiB/s to 0, 32, 64 or 4,080 (`node bench/copy-alignment.ts`).
// That made pulls bimodal (README, "Benchmark"). JavaScript can neither see nor choose a Buffer's address, but a
// WebAssembly.Memory starts on a page boundary, so its slices at multiples of 1 MiB do too.

/** Slices of one aligned slab; reserved (not resident) until used, so a process that never pulls pays nothing. */
export interface AlignedPool {
  /** A buffer of `size` bytes: a free aligned slice, or (slab exhausted or unavailable) a plain heap buffer. */
  take(): Buffer;
  /** Hands a buffer back; only the slab's own slices are kept (a heap buffer is left to the collector). */
  give(buffer: Buffer): void;
  /** Slab slices not lent out (all of them before the first take), for tests. */
  readonly free: number;
}

/** `size` must be a multiple of 4 KiB for every slice to start on a page. */
export function alignedPool(size: number, slots: number): AlignedPool {
  if (size % 4096 !== 0) throw new Error(`aligned buffers must be a multiple of 4 KiB, got ${size}`);
  let slab: ArrayBuffer | null | undefined;
  /** The pool's own Buffer object for each slice, by index. */
  const slices: Buffer[] = [];
  // Last in, first out, so sequential pulls keep reusing the same two slices and the rest never become resident.
  const free: number[] = [];
  const open = (): ArrayBuffer | null => {
    try {
      // 64 KiB WebAssembly pages; `maximum` = `initial` so the memory can never grow, which would detach the buffer.
      const pages = Math.ceil((size * slots) / 65_536);
      const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
      for (let i = 0; i < slots; i++) slices.push(Buffer.from(memory.buffer, i * size, size));
      for (let i = slots - 1; i >= 0; i--) free.push(i);
      return memory.buffer;
    } catch {
      // No WebAssembly (node --jitless) or no address space for the reservation: plain buffers, as before.
      return null;
    }
  };
  return {
    take() {
      if (slab === undefined) slab = open();
      const i = free.pop();
      return i === undefined ? Buffer.allocUnsafeSlow(size) : slices[i]!;
    },
    give(buffer) {
      // Only a whole slice of the slab counts (not a view of part of one), and one handed back twice is lent out once.
      if (!slab || buffer.buffer !== slab || buffer.byteLength !== size || buffer.byteOffset % size !== 0) return;
      const i = buffer.byteOffset / size;
      // At most `slots` entries: a scan is as cheap as keeping a second array in step with this one.
      if (!free.includes(i)) free.push(i);
    },
    get free() {
      return slab === undefined ? slots : free.length;
    },
  };
}
