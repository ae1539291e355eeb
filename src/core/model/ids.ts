// Identifiers minted by the registry; random, URL-safe and shaped as the clouds' APIs expect.
import { randomBytes, randomUUID } from 'node:crypto';

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

function randomFrom(alphabet: string, length: number): string {
  const bytes = randomBytes(length * 2);
  let out = '';
  for (let i = 0; out.length < length; i++) {
    const b = bytes[i % bytes.length]!;
    // Reject the biased tail so every character is equally likely.
    if (b < 256 - (256 % alphabet.length)) out += alphabet[b % alphabet.length];
    if (i >= bytes.length - 1 && out.length < length) return out + randomFrom(alphabet, length - out.length);
  }
  return out;
}

/** "crr-" + 16 lowercase alphanumerics, the ACR RepoId shape. */
export function newRepositoryId(): string {
  return `crr-${randomFrom(ALNUM, 16)}`;
}

/** "pin-" + 16 lowercase alphanumerics: a deployment reference. */
export function newPinId(): string {
  return `pin-${randomFrom(ALNUM, 16)}`;
}

export function newUploadId(): string {
  return randomUUID();
}

/** Access key ids look like AWS's: 20 upper-case alphanumerics starting with "BK". */
export function newAccessKeyId(): string {
  return `BK${randomFrom(ALNUM.toUpperCase(), 18)}`;
}

/** Secrets: 40 characters of base62, about 238 bits. */
export function newSecret(): string {
  return randomFrom(`${ALNUM}ABCDEFGHIJKLMNOPQRSTUVWXYZ`, 40);
}
