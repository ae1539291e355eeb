// The one pin check every delete path shares: how pins apply to a delete, and the single error that refuses it.
import { RegistryError } from '../errors.ts';
import type { Pin } from '../model/records.ts';
import type { PinPolicy } from '../ports/metadata-store.ts';
import type { RegistryDeps } from './deps.ts';

/** The policy for a delete at `at`; `breakPins` only after the caller checked the actor may override. */
/** Only the automatic-pin setting. */
export type PinPolicyDeps = Pick<RegistryDeps, 'deletion'>;

export function pinPolicy(deps: PinPolicyDeps, at: Date, breakPins: boolean): PinPolicy {
  const window = deps.deletion.autoPinPulledWithinMs;
  return { breakPins, pulledSince: window > 0 ? new Date(at.getTime() - window) : null };
}

function describePin(p: Pin): string {
  const until = p.expiresAt ? ` until ${p.expiresAt.toISOString()}` : '';
  return `${p.id} (${p.repository}@${p.digest.slice(0, 19)}…, ${p.owner}: ${p.reason}${until})`;
}

/** The refusal: names the pins (first 10 in the message, first 100 in the detail) and how to override. */
export function imageInUse(what: string, pins: Pin[]): RegistryError {
  const shown = pins.slice(0, 10).map(describePin).join('; ');
  const more = pins.length > 10 ? ` and ${pins.length - 10} more` : '';
  return new RegistryError('IMAGE_IN_USE', `${what} is in use by deployment pin(s): ${shown}${more}; remove the pins or delete with the pin override`, {
    pins: pins.slice(0, 100).map((p) => ({
      id: p.id,
      repository: p.repository,
      digest: p.digest,
      reason: p.reason,
      owner: p.owner,
      createdAt: p.createdAt.toISOString(),
      expiresAt: p.expiresAt?.toISOString() ?? null,
    })),
  });
}
