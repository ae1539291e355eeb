// Issues an access key: a random id and secret, stored hashed and sealed; the secret is shown once.
import { newAccessKeyId, newSecret, type AccessKey, type AccessKeys, type Grant } from '../core/index.ts';
import { FULL_ACCESS } from './grants.ts';
import { hashSecret, sealSecret } from './secrets.ts';

export async function issueAccessKey(
  keys: AccessKeys, masterKey: Buffer, options: { name: string; grants?: Grant[] | undefined; now: Date },
): Promise<{ key: AccessKey; secret: string }> {
  const secret = newSecret();
  const key: AccessKey = {
    id: newAccessKeyId(), name: options.name, secretHash: hashSecret(secret), sealedSecret: sealSecret(masterKey, secret),
    grants: options.grants && options.grants.length > 0 ? options.grants : FULL_ACCESS, createdAt: options.now, lastUsedAt: null,
  };
  await keys.createAccessKey(key);
  return { key, secret };
}
