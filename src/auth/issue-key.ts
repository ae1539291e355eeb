// Issues an access key: a random id and secret, stored hashed (for Basic) and sealed (for signature schemes);
// the secret is returned once and never again.
import { type AccessKey, type AccessKeys, type Actor, type Grant, newAccessKeyId, newSecret, RegistryError } from '../core/index.ts';
import { validateGrant } from './grants.ts';
import { hashSecret, sealSecret } from './sealing.ts';

export interface IssueKeyOptions {
  name: string;
  /**
   * Required: a key with every right must be asked for (`fullAccessGrants()`, the CLI's --admin), never the
   * silent result of a forgotten flag. An empty list is refused (such a key could do nothing).
   */
  grants: readonly Grant[];
  now: Date;
  /** Who asks, for the audit event; default the operator (the CLI). */
  actor?: Actor | undefined;
}

export async function issueAccessKey(keys: AccessKeys, masterKey: Uint8Array, options: IssueKeyOptions): Promise<{ key: AccessKey; secret: string }> {
  const name = options.name.trim();
  if (name.length === 0 || name.length > 128) throw new RegistryError('INVALID_REQUEST', 'an access key name must be 1 to 128 characters');
  if (options.grants.length === 0) throw new RegistryError('INVALID_REQUEST', 'an access key needs at least one grant');
  const grants = options.grants.map(validateGrant);
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
  await keys.createAccessKey(key, options.actor);
  return { key, secret };
}
