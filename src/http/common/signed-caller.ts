// The rule every signature dialect (SigV4, ACS3/RPC, NCP, SDK-HMAC) applies with auth off, written once: unsigned
// callers and signatures by keys berth does not have act as administrator, but a signature made with a key berth has
// must still verify, so a wrong secret or a stale clock shows up locally before auth is turned on.
import { ANONYMOUS_ADMIN, type KeyPrincipal, type Principal } from '../../auth/index.ts';
import type { SignatureAuth } from './access.ts';

/** The caller of a signature dialect: the principal whose rights apply, and the key that signed (null when unsigned). */
export interface SignedCaller {
  principal: Principal;
  keyId: string | null;
}

/** A verifier's answer, whatever the scheme: the signing key, or the scheme's own failure. */
export type SignatureOutcome<F> = { ok: true; keyId: string } | { ok: false; failure: F };

/**
 * Looks up signing keys for a verifier and remembers the principal of the last key found, so the dialect knows both
 * whether a key berth has was named and whom it belongs to.
 */
export class KeyLookup {
  readonly #signatures: SignatureAuth;
  principal: KeyPrincipal | null = null;

  constructor(signatures: SignatureAuth) {
    this.#signatures = signatures;
  }

  /** The secret of `keyId` (the verifier's callback), or null when berth has no such key. */
  readonly secretOf = async (keyId: string): Promise<string | null> => {
    const found = await this.#signatures.signingKey(keyId);
    this.principal = found?.principal ?? null;
    return found?.secret ?? null;
  };

  /** Whether `keyId` names a key berth has (for failures the verifier reports before looking the key up). */
  async exists(keyId: string | null | undefined): Promise<boolean> {
    return keyId !== null && keyId !== undefined && (await this.#signatures.signingKey(keyId)) !== null;
  }
}

/**
 * With auth off, the caller to let in, or null to refuse as with auth on. `mustVerify` says whether a failure
 * involves a key berth has (each scheme can tell that at a different point); such a failure is never waved through.
 */
export async function callerWithAuthOff<F>(
  signatures: SignatureAuth,
  outcome: SignatureOutcome<F>,
  mustVerify: (failure: F) => boolean | Promise<boolean>,
): Promise<SignedCaller | null> {
  if (signatures.mode !== 'none') return null;
  if (outcome.ok) return { principal: ANONYMOUS_ADMIN, keyId: outcome.keyId };
  return (await mustVerify(outcome.failure)) ? null : { principal: ANONYMOUS_ADMIN, keyId: null };
}
