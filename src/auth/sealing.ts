// Access-key secrets are kept two ways: hashed (SHA-256: the secret is ~238 random bits, so a slow hash adds
// nothing) for Basic auth, and sealed with AES-256-GCM because every cloud signature scheme (SigV4, ACS3,
// NAVER, Huawei) needs the plaintext secret on the server to recompute the signature.
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { RegistryError } from '../core/index.ts';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const B64URL = /^[A-Za-z0-9_-]*$/;
const HEX_SHA256 = /^[0-9a-f]{64}$/i;

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time comparison of a presented secret with a stored hash (both sides are fixed-length digests). */
export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = createHash('sha256').update(secret, 'utf8').digest();
  const wellFormed = HEX_SHA256.test(storedHash);
  // Compare even when the stored hash is malformed, so timing says nothing about it.
  const same = timingSafeEqual(presented, wellFormed ? Buffer.from(storedHash, 'hex') : Buffer.alloc(32));
  return wellFormed && same;
}

function checkMasterKey(masterKey: Uint8Array): void {
  if (masterKey.length !== 32) throw new RegistryError('INTERNAL', `the master key must be 32 bytes (got ${masterKey.length})`);
}

/** "v1.<iv>.<ciphertext>.<tag>" in base64url; the version leaves room to rotate the scheme. */
export function sealSecret(masterKey: Uint8Array, secret: string): string {
  checkMasterKey(masterKey);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', masterKey, iv, { authTagLength: TAG_BYTES });
  const ct = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64url'), ct.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
}

/** The plaintext, or RegistryError('INTERNAL') when the text is malformed, tampered with or sealed under another key. */
export function openSecret(masterKey: Uint8Array, sealed: string): string {
  checkMasterKey(masterKey);
  const parts = sealed.split('.');
  const [version, iv, ct, tag] = parts;
  if (parts.length !== 4 || version !== VERSION || iv === undefined || ct === undefined || tag === undefined || ![iv, ct, tag].every((p) => B64URL.test(p))) {
    throw new RegistryError('INTERNAL', 'sealed secret has an unknown format');
  }
  const ivBytes = Buffer.from(iv, 'base64url');
  const tagBytes = Buffer.from(tag, 'base64url');
  // A short tag would be accepted by GCM and make forgery cheap: insist on the full 16 bytes.
  if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES) throw new RegistryError('INTERNAL', 'sealed secret has an unknown format');
  try {
    const decipher = createDecipheriv('aes-256-gcm', masterKey, ivBytes, { authTagLength: TAG_BYTES });
    decipher.setAuthTag(tagBytes);
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new RegistryError('INTERNAL', 'sealed secret cannot be opened with this master key (tampered, or sealed under another key)');
  }
}
