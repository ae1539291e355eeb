// `node bench/copy-alignment.ts`: how fast the kernel copies cached file pages into user memory by where in a 4 KiB
// page the destination starts. On AMD CPUs with fast short `rep movsb` a destination 1-31 bytes past a page boundary
// copies 4-7x slower; this is why pulls read into page-aligned buffers (src/http/common/aligned-buffers.ts).

import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MiB } from './machine.ts';

const FILE_MiB = 64;
const file = join(tmpdir(), `berth-copy-alignment-${process.pid}`);
const fd = openSync(file, 'w+');
try {
  const chunk = randomBytes(MiB);
  for (let i = 0; i < FILE_MiB; i++) writeSync(fd, chunk, 0, MiB, i * MiB);
  // A WebAssembly memory starts on a page boundary, so `offset` below is the destination's offset within its page.
  const memory = Buffer.from(new WebAssembly.Memory({ initial: 32, maximum: 32 }).buffer);
  memory.fill(1);
  const rate = (offset: number): number => {
    let best = 0;
    for (let round = 0; round < 3; round++) {
      const started = performance.now();
      for (let i = 0; i < FILE_MiB; i++) readSync(fd, memory, offset, MiB, i * MiB);
      best = Math.max(best, FILE_MiB / ((performance.now() - started) / 1000));
    }
    return best;
  };
  rate(0); // the first pass brings the whole file into the page cache
  for (const offset of [0, 8, 16, 32, 64, 4080])
    console.log(`destination ${String(offset).padStart(4)} bytes past a page: ${Math.round(rate(offset))} MiB/s (best of 3 x ${FILE_MiB} MiB)`);
} finally {
  closeSync(fd);
  rmSync(file, { force: true });
}
