import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configSchema } from '../config/index.ts';
import type { HttpDialect } from '../core/index.ts';
import { badUrlAnswer } from './bad-url.ts';
import { dialectOf } from './dialect-of.ts';
import { DIALECTS } from './dialects.ts';

/** Every HttpDialect name; the Record makes this list fail to compile when core's union changes. */
const NAMES: Record<HttpDialect, true> = { oci: true, ecr: true, acr: true, ncr: true, swr: true, api: true, token: true };

describe('the dialect list', () => {
  it('describes every HttpDialect exactly once', () => {
    assert.deepEqual(DIALECTS.map((d) => d.name).sort(), Object.keys(NAMES).sort());
  });

  it('names only config sections the config schema has', () => {
    const sections = Object.keys(configSchema.shape);
    for (const d of DIALECTS) if (d.config !== undefined) assert.ok(sections.includes(d.config), `${d.name}: config.${d.config}`);
    assert.deepEqual(
      DIALECTS.filter((d) => d.config !== undefined)
        .map((d) => d.name)
        .sort(),
      ['acr', 'ecr', 'swr'],
    );
  });

  it('builds a plugin for each dialect from the wiring', () => {
    for (const d of DIALECTS) assert.equal(typeof d.plugin, 'function', d.name);
  });
});

describe('metrics dialect label', () => {
  it('counts POST / with X-Amz-Target as ecr', () => {
    assert.equal(dialectOf('/', { 'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.ListImages' }), 'ecr');
    assert.equal(dialectOf('/'), 'other');
    assert.equal(dialectOf('/', { 'x-acs-action': 'ListAcrImageTags' }), 'acr');
    assert.equal(dialectOf('/?Action=ListAcrImageTags&Version=2021-05-21'), 'acr');
    assert.equal(dialectOf('/v2/x/manifests/a', { 'x-amz-target': 'x' }), 'oci');
  });

  it('gives the longest prefix its dialect, whatever the list order', () => {
    const cases: Array<[string, string]> = [
      ['/v2/', 'oci'],
      ['/v2/manage/namespaces', 'swr'],
      ['/v3/manage/x', 'swr'],
      ['/ncr/api/v2/repositories/r', 'ncr'],
      ['/berth/v1/pins', 'api'],
      ['/token?service=x', 'token'],
      ['/healthz', 'other'],
      ['/metrics', 'other'],
    ];
    for (const [url, dialect] of cases) assert.equal(dialectOf(url), dialect, url);
  });
});

describe('bad-URL answers', () => {
  const answer = (url: string, headers: Record<string, string> = {}) => {
    const a = badUrlAnswer(url, headers, 'URI malformed');
    return { headers: a.headers ?? {}, json: JSON.parse(a.body) as Record<string, unknown> };
  };

  it('answer in the shape of the dialect the path belongs to', () => {
    assert.deepEqual(answer('/v2/team/%ff/tags/list').json, {
      errors: [{ code: 'NAME_INVALID', message: 'the request target is not a valid URL: URI malformed', detail: null }],
    });
    const swr = answer('/v2/manage/namespaces/%ff');
    assert.match(String(swr.json.error_code), /^SVCSTG\.SWR\.400/);
    assert.equal(swr.json.request_id, swr.headers['x-request-id']);
    assert.equal((answer('/ncr/api/v2/repositories/reg/%zz').json.error as { errorCode: string }).errorCode, '100');
    assert.equal((answer('/berth/v1/repositories/%ff/deleted-tags').json.error as { code: string }).code, 'INVALID_REQUEST');
    const ecr = answer('/?x=%ff', { 'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.ListImages' });
    assert.equal(ecr.json.__type, 'InvalidParameterException');
    assert.equal(ecr.headers['x-amzn-errortype'], 'InvalidParameterException');
    const acr = answer('/?Action=ListAcrImageTags&x=%ff');
    assert.equal(acr.json.Code, 'InvalidParameter');
    assert.equal(acr.json.RequestId, acr.headers['x-acs-request-id']);
    assert.equal((answer('/token?%ff').json.errors as Array<{ code: string }>)[0]!.code, 'UNSUPPORTED');
  });

  it('answer paths no dialect claims in the registry envelope', () => {
    assert.equal((answer('/nowhere/%ff').json.errors as Array<{ code: string }>)[0]!.code, 'UNSUPPORTED');
  });

  it('cover every dialect in the list (each has its own shape)', () => {
    for (const d of DIALECTS) assert.doesNotThrow(() => JSON.parse(d.badUrl('x').body), d.name);
  });
});
