// The audit-trail filters of the MetadataStore conformance suite: one repository's events, one action prefix's,
// both at once, paged within the filter.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { MetadataStore } from '../../core/index.ts';
import { actor, later, manifest, RESPECT_PINS, TAG_ONLY } from './metadata-store.fixtures.ts';
import type { ConformanceSuite } from './metadata-store.kit.conformance.ts';

export function auditCases(suite: ConformanceSuite): void {
  const { kit } = suite;
  const { repo, put, lastAuditId } = kit;
  const s = (): MetadataStore => kit.store();

  it('filters the audit trail by repository and by action prefix, paging within the filter', async () => {
    const [r, other] = [repo(), repo()];
    const start = await lastAuditId();
    const m = manifest(r, 'filtered', { tag: 'v1' });
    await put(m, { ...m, tag: 'v2' }, manifest(other, 'filtered-other', { tag: 'v1' }));
    await s().deleteTag(r, 'v1', actor, later(1), TAG_ONLY);
    await s().deleteTag(other, 'v1', actor, later(2), TAG_ONLY);
    await s().deleteManifest(r, m.digest, actor, later(3), RESPECT_PINS);
    const mine = await s().listAudit({ limit: 100, repository: r });
    assert.deepEqual(
      mine.filter((e) => e.id > start).map((e) => e.action),
      ['manifest.delete', 'tag.delete', 'manifest.put', 'manifest.put'],
    );
    assert.ok(
      mine.every((e) => e.repository === r),
      'only that repository',
    );
    const manifestEvents = (await s().listAudit({ limit: 100, action: 'manifest.' })).filter((e) => e.id > start);
    assert.deepEqual(
      manifestEvents.map((e) => [e.action, e.repository]),
      [
        ['manifest.delete', r],
        ['manifest.put', other],
        ['manifest.put', r],
        ['manifest.put', r],
      ],
    );
    const both = await s().listAudit({ limit: 100, repository: r, action: 'tag.' });
    assert.deepEqual(
      both.filter((e) => e.id > start).map((e) => [e.action, e.target]),
      [['tag.delete', 'v1']],
    );
    assert.deepEqual(await s().listAudit({ limit: 100, action: 'manifest.delete%' }), [], 'a prefix is matched literally, not as a pattern');
    const [first, ...rest] = mine.filter((e) => e.id > start);
    assert.deepEqual(
      (await s().listAudit({ before: first!.id, limit: 2, repository: r })).map((e) => e.id),
      rest.slice(0, 2).map((e) => e.id),
    );
    assert.deepEqual(await s().listAudit({ limit: 10, repository: 'conf/never' }), []);
  });
}
