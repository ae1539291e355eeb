import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodePathSegment } from './path-segment.ts';

describe('decodePathSegment', () => {
  it('decodes unreserved characters and the dialect escapes once, and leaves every other escape as written', () => {
    const table: Array<[raw: string, extra: string, decoded: string]> = [
      ['bypush', '', 'bypush'],
      ['by%70ush', '', 'bypush'],
      ['%62%79%50%55%53%48', '', 'byPUSH'],
      ['a%2Db%2ec%5Fd%7Ee', '', 'a-b.c_d~e'],
      ['%2E%2E', '', '..'],
      ['team%24app', '$', 'team$app'],
      ['team%24app', '', 'team%24app'],
      ['hello%2Fworld', '/', 'hello/world'],
      ['hello%2fworld', '/', 'hello/world'],
      ['hello%2Fworld', '$', 'hello%2Fworld'],
      ['a%25b', '', 'a%25b'],
      ['a%2570', '', 'a%2570'],
      ['a%252Fb', '/', 'a%252Fb'],
      ['a%20b', '', 'a%20b'],
      ['a%00b', '', 'a%00b'],
      ['a%zzb', '', 'a%zzb'],
      ['a%7', '', 'a%7'],
      ['%', '', '%'],
      ['%C3%A9', '', '%C3%A9'],
      ['', '', ''],
    ];
    for (const [raw, extra, decoded] of table) assert.equal(decodePathSegment(raw, extra), decoded, `${raw} (${extra})`);
  });
});
