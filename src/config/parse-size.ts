// Byte sizes in config read as "4MiB" or a plain number of bytes; only binary (IEC) units, so "MB" can never mean two things.

const UNIT_BYTES: Record<string, number> = { b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4 };
const SIZE = /^(\d+(?:\.\d+)?) ?([a-z]+)?$/i;

export const SIZE_HINT = 'expected bytes as a whole number or with a binary unit (B, KiB, MiB, GiB, TiB), e.g. 4194304, "512KiB" or "4MiB"';

/** Parses 4194304, "4194304", "512KiB", "4MiB" or "1.5 GiB" into a whole number of bytes; throws a RangeError otherwise. */
export function parseByteSize(value: number | string): number {
  const fail = (why = SIZE_HINT): never => {
    throw new RangeError(`invalid size ${JSON.stringify(value)}: ${why}`);
  };
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) fail();
    return value;
  }
  const m = SIZE.exec(value.trim());
  if (!m) return fail();
  const unit = (m[2] ?? 'b').toLowerCase();
  const factor = UNIT_BYTES[unit];
  if (factor === undefined) {
    return fail(/^[kmgt]b$/.test(unit) ? `use binary units (KiB, MiB, GiB, TiB: powers of 1024) instead of "${m[2]}"` : SIZE_HINT);
  }
  const bytes = Number(m[1]) * factor;
  if (!Number.isSafeInteger(bytes)) fail('not a whole number of bytes');
  return bytes;
}
