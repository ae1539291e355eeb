// Grants typed in the keys page become the API's {repositories, actions} list, and a line without actions is refused.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseGrants } from './grants.js';

it('reads one grant a line: repositories, a colon, actions separated by commas', () => {
  assert.deepEqual(parseGrants('team/*: pull, push\n\n *:pin-sync '), [
    { repositories: 'team/*', actions: ['pull', 'push'] },
    { repositories: '*', actions: ['pin-sync'] },
  ]);
  assert.throws(() => parseGrants('team/*'), /write a grant as/);
});
