// NextToken round trips, and every token berth did not issue for this listing is InvalidNextToken.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AcrError } from './errors.ts';
import { decodeToken, encodeToken } from './paging.ts';

const refused = (f: () => unknown): void => assert.throws(f, (e: unknown) => e instanceof AcrError && e.code === 'InvalidNextToken' && e.status === 400);

describe('NextToken', () => {
  it('round-trips a position and refuses another operation, another listing, garbage and bad values', () => {
    const token = encodeToken('ListAcrImageTags', { repo: 'crr-1', after: 'v1', total: 3 });
    assert.deepEqual(decodeToken('ListAcrImageTags', token, { repo: 'crr-1' }), { repo: 'crr-1', after: 'v1', total: 3 });
    refused(() => decodeToken('ListAcrImageRepositories', token, {}));
    refused(() => decodeToken('ListAcrImageTags', token, { repo: 'crr-2' }));
    refused(() => decodeToken('ListAcrImageTags', 'not a token!', {}));
    refused(() => decodeToken('ListAcrImageTags', Buffer.from('[1]').toString('base64url'), {}));
    refused(() => decodeToken('ListAcrImageTags', encodeToken('ListAcrImageTags', { total: -1 }), {}));
  });
});
