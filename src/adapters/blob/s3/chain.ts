// Upload parts are separate objects, so the bytes of an upload are only as good as the order they form: this checks
// that the parts run from byte 0 with no gap and no overlap, because either would rebuild a wrong hash or commit a
// wrong blob. Pure logic, tested on its own.
import { RegistryError } from '../../../core/index.ts';

export interface Part {
  key: string;
  /** Upload offset of the part's first byte. */
  start: number;
  size: number;
}

/** The first `take` bytes of a part. */
export interface Segment {
  key: string;
  start: number;
  size: number;
  take: number;
}

/**
 * The parts that hold bytes [0, length), in order, the last one cut to fit. Parts starting at or past `length` are
 * not looked at (a failed request may have left them; the next append discards them).
 */
export function chainOf(parts: readonly Part[], length: number, id: string): Segment[] {
  const sorted = parts.filter((p) => p.size > 0).sort((a, b) => a.start - b.start);
  const out: Segment[] = [];
  let at = 0;
  for (const p of sorted) {
    if (at >= length || p.start >= length) break;
    if (p.start > at) throw new RegistryError('BLOB_UPLOAD_INVALID', `upload ${id} is missing bytes ${at}-${p.start - 1}`);
    if (p.start < at) {
      throw new RegistryError('BLOB_UPLOAD_INVALID', `upload ${id} has two parts holding byte ${p.start} (a concurrent or retried write); start a new upload`);
    }
    const take = Math.min(p.size, length - at);
    out.push({ key: p.key, start: p.start, size: p.size, take });
    at += take;
  }
  if (at < length) throw new RegistryError('BLOB_UPLOAD_INVALID', `upload ${id} holds ${at} bytes, not ${length}`);
  return out;
}
