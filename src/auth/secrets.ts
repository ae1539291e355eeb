// Access-key secrets are kept two ways: hashed (SHA-256: the secret is ~238 random bits, so a slow hash adds
// nothing) for Basic auth, and sealed with AES-256-GCM because every cloud signature scheme (SigV4, ACS3,
// NAVER, Huawei) needs the plaintext secret on the server to recompute the signature.
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { RegistryError } from '../core/index.ts';

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time comparison of a presented secret with a stored hash. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** "v1.<iv>.<ciphertext>.<tag>" in base64url; the version leaves room to rotate the scheme. */
export function sealSecret(masterKey: Buffer, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', masterKey, iv);
  const ct = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), ct.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
}

export function openSecret(masterKey: Buffer, sealed: string): string {
  const [version, iv, ct, tag] = sealed.split('.');
  if (version !== 'v1' || !iv || ct === undefined || !tag) throw new RegistryError('INTERNAL', 'sealed secret has an unknown format');
  try {
    const decipher = createDecipheriv('aes-256-gcm', masterKey, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new RegistryError('INTERNAL', 'sealed secret cannot be opened with this master key');
  }
}
