// Digests are the registry's primary keys, so parsing them strictly here keeps traversal and junk out of every layer below.
import { createHash, type Hash } from 'node:crypto';
import { RegistryError } from '../errors.ts';

export type Algorithm = 'sha256' | 'sha512';
export type Digest = `${Algorithm}:${string}`;

const HEX_LENGTH: Record<Algorithm, number> = { sha256: 64, sha512: 128 };
const DIGEST_RE = /^(sha256|sha512):([a-f0-9]+)$/;

/** True when the string is a digest this registry can verify (sha256 or sha512, lowercase hex of the right length). */
export function isDigest(value: string): value is Digest {
  const m = DIGEST_RE.exec(value);
  return m !== null && m[2]!.length === HEX_LENGTH[m[1] as Algorithm];
}

/** Parses a digest or throws DIGEST_INVALID; anything with another shape never reaches storage paths. */
export function parseDigest(value: string): Digest {
  if (!isDigest(value)) {
    // An algorithm that is well-formed but unknown to us is UNSUPPORTED per spec; anything else is invalid.
    if (/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(value) && !DIGEST_RE.test(value)) {
      throw new RegistryError('DIGEST_INVALID', `unsupported or malformed digest: ${value.slice(0, 200)}`);
    }
    throw new RegistryError('DIGEST_INVALID', `invalid digest: ${value.slice(0, 200)}`);
  }
  return value;
}

export function algorithmOf(digest: Digest): Algorithm {
  return digest.slice(0, digest.indexOf(':')) as Algorithm;
}

export function hexOf(digest: Digest): string {
  return digest.slice(digest.indexOf(':') + 1);
}

export function newHasher(algorithm: Algorithm): Hash {
  return createHash(algorithm);
}

export function digestOf(bytes: Uint8Array, algorithm: Algorithm = 'sha256'): Digest {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}
