// A verified token's `access` claim is still untrusted JSON in shape; checking it here keeps a malformed claim
// from becoming a principal with surprising access.
import type { Scope } from './scope.ts';

const MAX_ENTRIES = 256;

/** The claim as Scope[], or null when it is not an array of { type, name, actions: string[] }. */
export function parseAccessClaim(claim: unknown): Scope[] | null {
  if (!Array.isArray(claim) || claim.length > MAX_ENTRIES) return null;
  const out: Scope[] = [];
  for (const entry of claim as unknown[]) {
    if (typeof entry !== 'object' || entry === null) return null;
    const { type, name, actions } = entry as Record<string, unknown>;
    if (type !== 'repository' && type !== 'registry') return null;
    if (typeof name !== 'string' || !Array.isArray(actions) || !actions.every((a) => typeof a === 'string')) return null;
    out.push({ type, name, actions: [...(actions as string[])] });
  }
  return out;
}
