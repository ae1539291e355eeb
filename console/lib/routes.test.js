// The console's addresses: each /ui/ path to its page, repository names with their slashes, the rest not found.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { query, repoPath } from './paths.js';
import { parseRoute, repoHref } from './routes.js';

it('maps /ui/ paths to pages, a repository page keeping the slashes of its name', () => {
  assert.equal(parseRoute('/ui/').page, 'repositories');
  assert.equal(parseRoute('/ui/repositories').page, 'repositories');
  assert.deepEqual({ ...parseRoute('/ui/repositories/team/app/') }.name, 'team/app');
  assert.equal(parseRoute('/ui/gc').page, 'gc');
  assert.equal(parseRoute('/ui/login', '?next=%2Fui%2Fgc').params.get('next'), '/ui/gc');
  assert.equal(parseRoute('/ui/nothing').page, 'not-found');
  assert.equal(parseRoute('/ui/%ff').page, 'not-found');
  assert.equal(repoHref('team/my app'), '/ui/repositories/team/my%20app');
  assert.equal(parseRoute(repoHref('team/my app')).name, 'team/my app');
});

it('builds query strings without empty values and repository paths with their slashes', () => {
  assert.equal(query({ q: 'a b', after: '', limit: 50, namespace: undefined }), '?q=a+b&limit=50');
  assert.equal(query({}), '');
  assert.equal(repoPath('team/app#1'), 'team/app%231');
});
