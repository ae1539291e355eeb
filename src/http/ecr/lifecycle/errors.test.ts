// The lifecycle exceptions carry the modelled names the SDKs turn into classes, HTTP 400, and name the repository.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lifecycleErrors } from './errors.ts';

describe('lifecycleErrors', () => {
  it('are the three modelled client exceptions', () => {
    const e = lifecycleErrors.policyNotFound('team/app', '123456789012');
    assert.equal(e.type, 'LifecyclePolicyNotFoundException');
    assert.equal(e.status, 400);
    assert.equal(e.message, "Lifecycle policy does not exist for the repository with name 'team/app' in the registry with id '123456789012'");
    assert.equal(lifecycleErrors.previewNotFound('team/app', '123456789012').type, 'LifecyclePolicyPreviewNotFoundException');
    const busy = lifecycleErrors.previewInProgress('team/app', '123456789012');
    assert.equal(busy.type, 'LifecyclePolicyPreviewInProgressException');
    assert.match(busy.message, /'team\/app'.*has not completed\. Wait and try again\.$/);
  });
});
