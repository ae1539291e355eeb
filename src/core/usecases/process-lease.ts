// The heartbeat of a serving process (docs/DELETION.md, "Abandoned uploads"): each `berth serve` holds a lease row it
// renews every sixth of uploads.ownerLease, and its upload sessions name it, so when the process dies (SIGKILL, a lost
// machine) its sessions are known abandoned one lease later instead of waiting for uploads.idleTimeout.
import { randomUUID } from 'node:crypto';
import type { RegistryDeps, UsesMeta } from './deps.ts';

/** uploads.ownerLease when nobody says otherwise (the config default). */
export const DEFAULT_OWNER_LEASE_MS = 30_000;

/** Lease rows nobody renewed for this long are dropped by the next renewal anywhere (their owners are long dead). */
export const FORGET_LEASES_AFTER_MS = 24 * 3_600_000;

/** A fresh lease id: a restarted process is a new owner, never its former self. */
export function newProcessId(): string {
  return randomUUID();
}

/** How often a process renews a lease of `leaseMs`: six chances before it runs out. */
export function leaseRenewEveryMs(leaseMs: number): number {
  return Math.max(100, Math.floor(leaseMs / 6));
}

/** Renews this process's lease for `leaseMs` (its uploads.ownerLease): others take it for dead only after that. */
export async function renewProcessLease(
  deps: UsesMeta<'renewProcessLease'> & Pick<RegistryDeps, 'clock' | 'processId'>,
  leaseMs: number = DEFAULT_OWNER_LEASE_MS,
): Promise<void> {
  const now = deps.clock.now();
  await deps.meta.renewProcessLease(deps.processId, now, new Date(now.getTime() + leaseMs), new Date(now.getTime() - FORGET_LEASES_AFTER_MS));
}

/** On a clean stop: this process's idle sessions are abandoned from now on (a resumed one is adopted by whoever serves it). */
export async function endProcessLease(deps: UsesMeta<'endProcessLease'> & Pick<RegistryDeps, 'processId'>): Promise<void> {
  await deps.meta.endProcessLease(deps.processId);
}
