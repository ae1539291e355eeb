// The s3:// URL is the operator's one line of configuration: good ones parse to exactly what they say, bad ones are
// refused at start-up with a message naming the problem.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRegistryError } from '../../../core/index.ts';
import { parseS3Url } from './location.ts';

describe('parseS3Url', () => {
  it('reads bucket, prefix, endpoint, region and path style', () => {
    assert.deepEqual(parseS3Url('s3://registry/berth/prod?endpoint=http://127.0.0.1:7480&region=eu-west-1&forcePathStyle=true'), {
      bucket: 'registry',
      prefix: 'berth/prod/',
      endpoint: 'http://127.0.0.1:7480',
      region: 'eu-west-1',
      forcePathStyle: true,
    });
    assert.deepEqual(parseS3Url('s3://my.bucket-1'), { bucket: 'my.bucket-1', prefix: '', endpoint: undefined, region: 'us-east-1', forcePathStyle: false });
    assert.equal(parseS3Url('s3://b12/pre/').prefix, 'pre/');
  });

  it('defaults: region from AWS_REGION, path style on with a custom endpoint unless turned off', () => {
    assert.equal(parseS3Url('s3://bucket', { AWS_REGION: 'ap-south-1' }).region, 'ap-south-1');
    assert.equal(parseS3Url('s3://bucket', { AWS_DEFAULT_REGION: 'ca-central-1' }).region, 'ca-central-1');
    assert.equal(parseS3Url('s3://bucket?region=us-west-2', { AWS_REGION: 'ap-south-1' }).region, 'us-west-2');
    assert.equal(parseS3Url('s3://bucket?endpoint=https://minio.local:9000').forcePathStyle, true);
    assert.equal(parseS3Url('s3://bucket?endpoint=https://minio.local:9000&forcePathStyle=false').forcePathStyle, false);
  });

  it('refuses malformed URLs with a message that names the problem', () => {
    const cases: Array<[string, RegExp]> = [
      ['file:/tmp', /must start with s3:\/\//],
      ['s3://', /not a valid bucket name/],
      ['s3://Upper', /not a valid bucket name/],
      ['s3://a', /not a valid bucket name/],
      ['s3://under_score', /not a valid bucket name/],
      ['s3://bucket/a//b', /prefix/],
      ['s3://bucket/../x', /prefix/],
      ['s3://bucket/sp ace', /prefix/],
      ['s3://bucket?endpoint=localhost:9000', /must be http/],
      ['s3://bucket?endpoint=not a url', /is not a URL/],
      ['s3://bucket?endpoint=http://h:1/path', /just scheme, host and port/],
      ['s3://bucket?forcePathStyle=yes', /true or false/],
      ['s3://bucket?regoin=us-east-1', /unknown parameter "regoin"/],
      ['s3://bucket?region=a&region=b', /given twice/],
      ['s3://bucket?region=Not_A_Region', /not a region/],
      ['s3://bucket#frag', /fragment/],
    ];
    for (const [url, why] of cases) {
      assert.throws(
        () => parseS3Url(url),
        (e) => {
          assert.ok(isRegistryError(e) && e.code === 'INVALID_REQUEST', url);
          assert.match(e.message, why, url);
          return true;
        },
      );
    }
  });
});
