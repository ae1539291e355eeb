// Issues an access key: a random id and secret, stored hashed (for Basic) and sealed (for signature schemes);
// the secret is returned once and never again.
import { type AccessKey, type AccessKeys, type Grant, newAccessKeyId, newSecret, RegistryError } from '../core/index.ts';
import { fullAccessGrants, validateGrant } from './grants.ts';
import { hashSecret, sealSecret } from './sealing.ts';

export interface IssueKeyOptions {
  name: string;
  /** Omitted: every action on every repository. An empty list is refused (such a key could do nothing). */
  grants?: readonly Grant[] | undefined;
  now: Date;
}

export async function issueAccessKey(keys: AccessKeys, masterKey: Uint8Array, options: IssueKeyOptions): Promise<{ key: AccessKey; secret: string }> {
  const name = options.name.trim();
  if (name.length === 0 || name.length > 128) throw new RegistryError('INVALID_REQUEST', 'an access key name must be 1 to 128 characters');
  if (options.grants !== undefined && options.grants.length === 0) {
    throw new RegistryError('INVALID_REQUEST', 'an access key needs at least one grant (omit grants for full access)');
  }
  const grants = options.grants === undefined ? fullAccessGrants() : options.grants.map(validateGrant);
  const secret = newSecret();
  const key: AccessKey = {
    id: newAccessKeyId(),
    name,
    secretHash: hashSecret(secret),
    sealedSecret: sealSecret(masterKey, secret),
    grants,
    createdAt: options.now,
    lastUsedAt: null,
  };
  await keys.createAccessKey(key);
  return { key, secret };
}
