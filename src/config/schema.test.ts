// Schema-level facts: defaults, zero values, the published JSON Schema and the env-var names derived from it.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configEnvVars } from './env.ts';
import { configJsonSchema, configSchema } from './schema.ts';

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean;
  default?: unknown;
}

describe('configSchema', () => {
  it('fills every default from an empty object', () => {
    const c = configSchema.parse({});
    assert.equal(c.uploads.idleTimeout, 86_400_000);
    assert.equal(c.auth.realm, undefined);
    assert.equal(c.meta.url, undefined, 'store URLs are derived from data at load time');
  });

  it('accepts 0 where zero has a meaning, and numbers of bytes', () => {
    const c = configSchema.parse({
      gc: { interval: '0', grace: 0 },
      lifecycle: { interval: 0 },
      deletion: { restoreWindow: '0' },
      uploads: { maxConcurrent: 0 },
      manifests: { maxBytes: 1024 },
    });
    assert.deepEqual(c.gc, { grace: 0, interval: 0 });
    assert.deepEqual(c.lifecycle, { interval: 0 }, 'retention never runs on its own');
    assert.equal(c.deletion.restoreWindow, 0);
    assert.equal(c.manifests.maxBytes, 1024);
  });

  it('takes trusted proxies as addresses or CIDR ranges (a list or comma-separated) and refuses anything else', () => {
    const c = configSchema.parse({ requests: { trustedProxies: '10.0.0.7, 10.1.0.0/16,::1,fd00::/8' } });
    assert.deepEqual(c.requests.trustedProxies, ['10.0.0.7', '10.1.0.0/16', '::1', 'fd00::/8']);
    assert.deepEqual(configSchema.parse({}).requests.trustedProxies, []);
    for (const bad of ['lb.example.com', '10.0.0.0/33', '::/129', '10.0.0.1/8/8', '10.0.0.0/', '10.0.0.0/x']) {
      const r = configSchema.safeParse({ requests: { trustedProxies: [bad] } });
      assert.equal(r.success, false, bad);
      assert.match(r.error!.issues[0]!.message, /expected an IP address or a CIDR range/);
    }
  });

  it('rejects a value of the wrong type with a readable message', () => {
    const r = configSchema.safeParse({ uploads: { idleTimeout: true } });
    assert.equal(r.success, false);
    assert.match(r.error!.issues[0]!.message, /invalid duration: expected a number and a unit/);
  });
});

describe('configJsonSchema', () => {
  it('describes the file: strict objects, input types and defaults', () => {
    const s = configJsonSchema() as JsonSchema;
    assert.equal(s.type, 'object');
    assert.equal(s.additionalProperties, false);
    assert.equal(s.properties!.listen!.default, '127.0.0.1:5000');
    const uploads = s.properties!.uploads!;
    assert.equal(uploads.additionalProperties, false);
    assert.equal(uploads.properties!.idleTimeout!.default, '24h');
    assert.equal(uploads.properties!.maxConcurrent!.default, 64);
    assert.deepEqual(Object.keys(s.properties!).sort(), Object.keys(configSchema.shape).sort());
    assert.doesNotThrow(() => JSON.stringify(s));
  });
});

describe('configEnvVars', () => {
  it('derives BERTH_<SECTION>_<KEY> from the schema and lists the aliases', () => {
    const vars = configEnvVars();
    assert.equal(vars.BERTH_UPLOADS_IDLE_TIMEOUT, 'uploads.idleTimeout');
    assert.equal(vars.BERTH_LOG_LEVEL, 'log.level');
    assert.equal(vars.BERTH_LISTEN, 'listen');
    assert.equal(vars.BERTH_AUTH, 'auth.mode');
    assert.equal(vars.BERTH_INSECURE, 'auth.insecure');
    assert.equal(vars.BERTH_META, 'meta.url');
    assert.equal(vars.BERTH_BLOBS, 'blobs.url');
    assert.ok('BERTH_CONFIG' in vars);
    assert.equal(vars.BERTH_GC_INTERVAL, 'gc.interval');
    assert.equal(vars.BERTH_LIFECYCLE_INTERVAL, 'lifecycle.interval');
  });
});
