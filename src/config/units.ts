// Durations ("90s", "24h") and sizes ("4MiB") as people write them in config files, turned into numbers once.

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, kb: 1000, mb: 1000 ** 2, gb: 1000 ** 3 };

/** Milliseconds from "0", "500ms", "90s", "5m", "24h", "7d" (one unit) or a bare number of milliseconds; null if junk. */
export function parseDuration(value: string | number): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : null;
  const m = /^(\d{1,12})(ms|s|m|h|d)?$/.exec(value.trim());
  if (!m) return null;
  if (m[2] === undefined) return m[1] === '0' ? 0 : null;
  return Number(m[1]) * DURATION_UNITS[m[2]]!;
}

/** Bytes from a number or "512KiB", "4MiB", "1GB"; null if junk. */
export function parseSize(value: string | number): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : null;
  const m = /^(\d{1,15})\s*([a-zA-Z]*)$/.exec(value.trim());
  const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) return null;
  return Number(m[1]) * unit;
}
