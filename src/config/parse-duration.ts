// Durations in config are human strings ("90s", "24h"); one strict parser keeps "5" or "5 mins" from meaning something by accident.

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;
type Unit = keyof typeof UNIT_MS;
// Largest unit first, so "1h30m" reads naturally and "30m1h" or "1m1m" are refused as typos.
const ORDER: readonly Unit[] = ['d', 'h', 'm', 's', 'ms'];
// "ms" before "m" so "5ms" is five milliseconds, not five minutes followed by junk.
const PART = /(\d+(?:\.\d+)?)(ms|d|h|m|s)/y;

export const DURATION_HINT = 'expected a number and a unit (ms, s, m, h, d), e.g. "90s", "5m", "24h", "7d", "1h30m" or "0"';

/**
 * Parses "90s", "5m", "24h", "7d", "1h30m", "1.5h", "250ms" or "0" into milliseconds (rounded to whole ms).
 * Throws a RangeError naming the input for anything else: no bare numbers but 0, no negatives, no spaces inside.
 */
export function parseDuration(text: string): number {
  const s = text.trim();
  const fail = (): never => {
    throw new RangeError(`invalid duration ${JSON.stringify(text)}: ${DURATION_HINT}`);
  };
  if (s === '0') return 0;
  if (s === '') fail();
  let total = 0;
  let at = 0;
  let lastRank = -1;
  while (at < s.length) {
    PART.lastIndex = at;
    const m = PART.exec(s);
    if (!m) return fail();
    const rank = ORDER.indexOf(m[2] as Unit);
    if (rank <= lastRank) fail();
    lastRank = rank;
    total += Number(m[1]) * UNIT_MS[m[2] as Unit];
    at = PART.lastIndex;
  }
  const ms = Math.round(total);
  if (!Number.isSafeInteger(ms)) fail();
  return ms;
}

/** Formats milliseconds back into the shortest exact string parseDuration accepts (for messages and docs). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0';
  let rest = ms;
  let out = '';
  for (const unit of ORDER) {
    const n = Math.floor(rest / UNIT_MS[unit]);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * UNIT_MS[unit];
    }
  }
  return out;
}
