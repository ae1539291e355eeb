// The cached manifest GETs' keys, and how recording pulls updates them in place: a pull flush every few seconds would
// otherwise drop every cached answer, and a random GET load over a large registry would keep reading them again.
import type { Digest, StoredManifest } from '../../core/index.ts';
import type { CachePatch } from './sql/engine.ts';

/** The read-cache key of a manifest GET (by tag or by digest). */
export const manifestKey = (repository: string, ref: { tag: string } | { digest: Digest }): string =>
  `m\0${repository}\0${'tag' in ref ? `t:${ref.tag}` : ref.digest}`;

/**
 * Moves each cached manifest's lastPulledAt forward as recordPulls moved the row's (a time never goes back); every
 * other cached answer is left as it is, since recording a pull changes nothing else.
 */
export function pulledAtPatch(pulls: ReadonlyArray<{ repository: string; digest: Digest; at: Date }>): CachePatch {
  const latest = new Map<string, Date>();
  for (const p of pulls) {
    const k = `${p.repository}\0${p.digest}`;
    const seen = latest.get(k);
    if (seen === undefined || seen < p.at) latest.set(k, p.at);
  }
  return (key, value) => {
    if (!key.startsWith('m\0') || value === null) return value;
    const m = value as StoredManifest;
    const at = latest.get(`${key.slice(2, key.indexOf('\0', 2))}\0${m.digest}`);
    return at !== undefined && (m.lastPulledAt === null || m.lastPulledAt < at) ? { ...m, lastPulledAt: at } : m;
  };
}
