// Batched request metrics must read exactly as if every request had been counted and timed at once: a scrape
// sees every request noted before it, across the folds a full batch forces, and none twice.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHttpMetrics } from './metrics.ts';
import { seriesValue } from './test-helpers.ts';

describe('request metrics', () => {
  it('counts and times every request noted before a scrape, across full batches, and none twice', async () => {
    const m = createHttpMetrics(
      () => 0,
      () => 0,
    );
    for (let i = 0; i < 2_000; i++) m.record('oci', 'GET', 200, 0.002);
    for (let i = 0; i < 501; i++) m.record('ecr', 'POST', 400, 2);
    const first = await m.registry.metrics();
    assert.equal(seriesValue(first, 'berth_http_requests_total{dialect="oci",method="GET",status="200"}'), 2_000);
    assert.equal(seriesValue(first, 'berth_http_requests_total{dialect="ecr",method="POST",status="400"}'), 501);
    assert.equal(seriesValue(first, 'berth_http_request_duration_seconds_count{dialect="oci",method="GET"}'), 2_000);
    assert.equal(seriesValue(first, 'berth_http_request_duration_seconds_bucket{le="0.001",dialect="oci",method="GET"}'), 0);
    assert.equal(seriesValue(first, 'berth_http_request_duration_seconds_bucket{le="0.005",dialect="oci",method="GET"}'), 2_000);
    assert.equal(seriesValue(first, 'berth_http_request_duration_seconds_bucket{le="1",dialect="ecr",method="POST"}'), 0);
    assert.equal(seriesValue(first, 'berth_http_request_duration_seconds_sum{dialect="ecr",method="POST"}'), 1_002);
    m.record('oci', 'GET', 200, 0.002);
    const second = await m.registry.metrics();
    assert.equal(seriesValue(second, 'berth_http_requests_total{dialect="oci",method="GET",status="200"}'), 2_001);
    assert.equal(seriesValue(second, 'berth_http_requests_total{dialect="ecr",method="POST",status="400"}'), 501, 'nothing folded twice');
  });
});
