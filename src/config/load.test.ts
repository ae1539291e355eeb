// The loading contract: defaults, the example file, precedence, error messages that name source and key, paths, freezing.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { isRegistryError } from '../core/index.ts';
import { type LoadOptions, loadConfig } from './load.ts';
import { configSchema } from './schema.ts';

const EXAMPLE = resolve(import.meta.dirname, '../../config.example.yaml');
const CWD = mkdtempSync(join(tmpdir(), 'berth-config-'));
after(() => rmSync(CWD, { recursive: true, force: true }));

function write(name: string, text: string): string {
  writeFileSync(join(CWD, name), text);
  return name; // relative on purpose: files resolve against cwd, and messages name them as given
}

function load(options: Partial<LoadOptions> = {}) {
  return loadConfig({ env: {}, cwd: CWD, ...options });
}

/** Asserts loadConfig fails with INVALID_REQUEST and a message matching `pattern`. */
function rejects(options: Partial<LoadOptions>, pattern: RegExp | string): void {
  assert.throws(
    () => load(options),
    (e: unknown) => {
      assert.ok(isRegistryError(e), `expected a RegistryError, got ${String(e)}`);
      assert.equal(e.code, 'INVALID_REQUEST');
      if (typeof pattern === 'string') assert.ok(e.message.includes(pattern), `${JSON.stringify(e.message)} lacks ${JSON.stringify(pattern)}`);
      else assert.match(e.message, pattern);
      return true;
    },
  );
}

describe('loadConfig: defaults and the example file', () => {
  it('has the documented defaults, with paths made absolute', () => {
    const c = load();
    assert.equal(c.listen, '127.0.0.1:5000');
    assert.equal(c.data, join(CWD, 'data'));
    assert.deepEqual(c.auth, { mode: 'auto', insecure: false, service: 'berth', tokenTtl: 300_000 });
    assert.equal(c.meta.url, `sqlite:${join(CWD, 'data', 'meta.db')}`);
    assert.equal(c.blobs.url, `file:${join(CWD, 'data')}`);
    assert.deepEqual(c.uploads, {
      idleTimeout: 86_400_000,
      ownerLease: 30_000,
      maxConcurrent: 64,
      maxQueued: 1024,
      queueTimeout: 30_000,
      maxOpenSessionsPerKey: 1024,
    });
    assert.equal(c.manifests.maxBytes, 4 * 1024 * 1024);
    assert.equal(c.log.level, 'info');
    assert.equal(c.shutdown.graceTimeout, 30_000);
    assert.equal(c.deletion.restoreWindow, 86_400_000);
    assert.deepEqual(c.gc, { grace: 3_600_000, interval: 600_000 });
  });

  it('loads config.example.yaml, which equals the defaults', () => {
    assert.deepEqual(load({ file: EXAMPLE }), load());
  });

  it('config.example.yaml mentions every option', () => {
    const text = readFileSync(EXAMPLE, 'utf8');
    const missing: string[] = [];
    const keys = (shape: Record<string, unknown>, prefix: string): void => {
      for (const [key, field] of Object.entries(shape)) {
        const inner = (field as { unwrap?: () => unknown }).unwrap?.();
        const sub = (inner as { shape?: Record<string, unknown> } | undefined)?.shape;
        if (sub) keys(sub, `${prefix}${key}.`);
        if (!new RegExp(`^\\s*(# )?${key}:`, 'm').test(text)) missing.push(prefix + key);
      }
    };
    keys(configSchema.shape, '');
    assert.deepEqual(missing, []);
  });

  it('reads JSON as well as YAML, and treats empty sections and keys as unset', () => {
    const json = write('c.json', JSON.stringify({ uploads: { maxConcurrent: 3 }, log: { level: 'debug' } }));
    assert.equal(load({ file: json }).uploads.maxConcurrent, 3);
    assert.equal(load({ file: json }).log.level, 'debug');
    const empty = write('empty.yaml', '# nothing\n');
    assert.deepEqual(load({ file: empty }), load());
    const blanks = write('blanks.yaml', 'meta:\n  # url: sqlite:x.db\nauth:\n  realm:\nlisten:\n');
    assert.deepEqual(load({ file: blanks }), load());
  });
});

describe('loadConfig: precedence flags > env > file > defaults', () => {
  const file = write(
    'p.yaml',
    [
      'listen: 127.0.0.1:6000',
      'data: from-file',
      'auth:',
      '  mode: required',
      '  service: file-svc',
      'uploads:',
      '  idleTimeout: 1h',
      '  maxConcurrent: 3',
      'log:',
      '  level: warn',
    ].join('\n'),
  );
  const env = {
    BERTH_LISTEN: '127.0.0.1:7000',
    BERTH_DATA: 'from-env',
    BERTH_AUTH: 'none',
    BERTH_UPLOADS_IDLE_TIMEOUT: '2h',
    BERTH_LOG_LEVEL: 'error',
    BERTH_META: 'sqlite:env.db',
    BERTH_INSECURE: 'true',
  };
  const flags = { listen: '127.0.0.1:8000', data: 'from-flag', auth: 'required', meta: 'sqlite:flag.db', insecure: false };

  it('file over defaults', () => {
    const c = load({ file });
    assert.equal(c.listen, '127.0.0.1:6000');
    assert.equal(c.data, join(CWD, 'from-file'));
    assert.equal(c.auth.mode, 'required');
    assert.equal(c.auth.service, 'file-svc');
    assert.equal(c.uploads.idleTimeout, 3_600_000);
    assert.equal(c.uploads.maxConcurrent, 3);
    assert.equal(c.manifests.maxBytes, 4 * 1024 * 1024, 'untouched keys keep their defaults');
  });

  it('env over file, key by key', () => {
    const c = load({ file, env });
    assert.equal(c.listen, '127.0.0.1:7000');
    assert.equal(c.data, join(CWD, 'from-env'));
    assert.equal(c.auth.mode, 'none');
    assert.equal(c.auth.insecure, true);
    assert.equal(c.auth.service, 'file-svc', 'a section set by env keeps the file keys env did not set');
    assert.equal(c.uploads.idleTimeout, 7_200_000);
    assert.equal(c.uploads.maxConcurrent, 3);
    assert.equal(c.log.level, 'error');
    assert.equal(c.meta.url, `sqlite:${join(CWD, 'env.db')}`);
  });

  it('flags over env', () => {
    const c = load({ file, env, flags });
    assert.equal(c.listen, '127.0.0.1:8000');
    assert.equal(c.data, join(CWD, 'from-flag'));
    assert.equal(c.auth.mode, 'required');
    assert.equal(c.auth.insecure, false);
    assert.equal(c.meta.url, `sqlite:${join(CWD, 'flag.db')}`);
    assert.equal(c.blobs.url, `file:${join(CWD, 'from-flag')}`, 'the default blob store follows the data dir');
    assert.equal(c.uploads.idleTimeout, 7_200_000);
  });

  it('finds the file through BERTH_CONFIG or --config, the flag first', () => {
    const other = write('other.yaml', 'listen: 127.0.0.1:9000\n');
    assert.equal(load({ env: { BERTH_CONFIG: file } }).listen, '127.0.0.1:6000');
    assert.equal(load({ env: { BERTH_CONFIG: file }, flags: { config: other } }).listen, '127.0.0.1:9000');
    assert.equal(load({ env: { BERTH_CONFIG: file }, file: other }).listen, '127.0.0.1:9000');
  });

  it('sets any key through BERTH_<SECTION>_<KEY>, reading numbers and booleans', () => {
    const c = load({
      env: {
        BERTH_UPLOADS_MAX_CONCURRENT: '0',
        BERTH_AUTH_INSECURE: 'yes',
        BERTH_AUTH_TOKEN_TTL: '90s',
        BERTH_MANIFESTS_MAX_BYTES: '512KiB',
        BERTH_GC_GRACE: '2h',
        BERTH_GC_INTERVAL: '0',
        BERTH_DELETION_RESTORE_WINDOW: '7d',
        BERTH_SHUTDOWN_GRACE_TIMEOUT: '5s',
        BERTH_AUTH_REALM: 'https://registry.example/token',
        BERTH_BLOBS_URL: 'file:blobs',
      },
    });
    assert.equal(c.uploads.maxConcurrent, 0);
    assert.equal(c.auth.insecure, true);
    assert.equal(c.auth.tokenTtl, 90_000);
    assert.equal(c.manifests.maxBytes, 512 * 1024);
    assert.deepEqual(c.gc, { grace: 7_200_000, interval: 0 });
    assert.equal(c.deletion.restoreWindow, 7 * 86_400_000);
    assert.equal(c.shutdown.graceTimeout, 5_000);
    assert.equal(c.auth.realm, 'https://registry.example/token');
    assert.equal(c.blobs.url, `file:${join(CWD, 'blobs')}`);
  });

  it('ignores empty and unrelated variables', () => {
    assert.deepEqual(load({ env: { BERTH_LISTEN: '', BERTH_E2E_PORT: '1', BERTH_DATA_DIR: 'x', PATH: '/bin', HOME: '/root' } }), load());
  });
});

describe('loadConfig: errors name the source and the key path', () => {
  it('rejects unknown keys with their path', () => {
    const f = write('typo.yaml', 'uploads:\n  idleTimout: 1h\n');
    rejects({ file: f }, `${f}: uploads.idleTimout: unknown key`);
    rejects({ file: write('top.yaml', 'listne: 127.0.0.1:1\n') }, 'top.yaml: listne: unknown key');
    rejects({ file: write('proto.json', '{"__proto__": {"polluted": true}}') }, '__proto__: unknown key');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('rejects bad durations, sizes and listen addresses', () => {
    const f = write('bad.yaml', 'uploads:\n  idleTimeout: abc\n');
    rejects({ file: f }, `${f}: uploads.idleTimeout: invalid duration "abc"`);
    rejects({ file: write('bare.yaml', 'shutdown:\n  graceTimeout: 30\n') }, /shutdown\.graceTimeout: invalid duration 30: give a unit/);
    rejects({ file: write('size.yaml', 'manifests:\n  maxBytes: lots\n') }, 'manifests.maxBytes: invalid size "lots"');
    rejects({ file: write('mb.yaml', 'manifests:\n  maxBytes: 4MB\n') }, /manifests\.maxBytes: .*binary units/);
    rejects({ file: write('listen.yaml', 'listen: "::1:5000"\n') }, /listen\.yaml: listen: .*brackets/);
    rejects({ flags: { listen: '127.0.0.1:70000' } }, /^flag --listen: listen: invalid listen address "127\.0\.0\.1:70000"/);
    rejects({ flags: { listen: 'nowhere' } }, 'flag --listen: listen: invalid listen address "nowhere"');
    rejects({ env: { BERTH_UPLOADS_IDLE_TIMEOUT: 'soon' } }, 'env BERTH_UPLOADS_IDLE_TIMEOUT: uploads.idleTimeout: invalid duration "soon"');
    rejects({ env: { BERTH_AUTH: 'maybe' } }, /^env BERTH_AUTH: auth\.mode: /);
    rejects({ env: { BERTH_UPLOADS_MAX_CONCURRENT: 'many' } }, /^env BERTH_UPLOADS_MAX_CONCURRENT: uploads\.maxConcurrent: .*number/);
    rejects({ env: { BERTH_AUTH_INSECURE: 'perhaps' } }, /auth\.insecure: .*boolean/);
    rejects({ flags: { auth: 'sometimes' } }, /^flag --auth: auth\.mode: /);
  });

  it('rejects out-of-range values', () => {
    rejects({ env: { BERTH_AUTH_TOKEN_TTL: '0' } }, /auth\.tokenTtl: .*at least 1s/);
    rejects({ env: { BERTH_UPLOADS_IDLE_TIMEOUT: '0' } }, /uploads\.idleTimeout: .*at least 1s/);
    rejects({ env: { BERTH_SHUTDOWN_GRACE_TIMEOUT: '30d' } }, /shutdown\.graceTimeout: .*at most 24d/);
    rejects({ env: { BERTH_MANIFESTS_MAX_BYTES: '0' } }, /manifests\.maxBytes: .*at least 1 bytes/);
    rejects({ file: write('neg.yaml', 'uploads:\n  maxConcurrent: -1\n') }, /uploads\.maxConcurrent: /);
    rejects({ env: { BERTH_AUTH_REALM: 'ftp://x/token' } }, /auth\.realm: expected an http\(s\) URL/);
    rejects({ env: { BERTH_META: './meta.db' } }, /meta\.url: expected a URL such as "sqlite:/);
  });

  it('reports every problem at once, each with its own source', () => {
    const f = write('two.yaml', 'log:\n  level: loud\n');
    assert.throws(
      () => load({ file: f, env: { BERTH_GC_GRACE: 'never' } }),
      (e: Error) => {
        assert.match(e.message, /two\.yaml: log\.level: /);
        assert.match(e.message, /env BERTH_GC_GRACE: gc\.grace: invalid duration "never"/);
        return true;
      },
    );
  });

  it('rejects unreadable, unparsable and non-mapping files', () => {
    rejects({ file: 'missing/berth.yaml' }, 'missing/berth.yaml: config file not found');
    rejects({ file: write('syntax.yaml', 'uploads:\n  idleTimeout: [1h\n') }, /syntax\.yaml: invalid YAML/);
    rejects({ file: write('dup.yaml', 'listen: 127.0.0.1:1\nlisten: 127.0.0.1:2\n') }, /dup\.yaml: invalid YAML/);
    rejects({ file: write('list.yaml', '- a\n- b\n') }, 'list.yaml: expected a mapping');
    rejects({ file: write('scalar-section.yaml', 'uploads: 5\n') }, /scalar-section\.yaml: uploads: /);
  });

  it('blames the file, not an override that could not apply, for a section of the wrong type', () => {
    rejects({ file: write('scalar2.yaml', 'uploads: fast\n'), env: { BERTH_UPLOADS_IDLE_TIMEOUT: '1h' } }, /^scalar2\.yaml: uploads: /);
  });

  it('rejects typos among BERTH_<SECTION>_* variables, unknown flags and disagreeing aliases', () => {
    rejects({ env: { BERTH_UPLOADS_IDLE_TIMOUT: '1h' } }, /unknown environment variable BERTH_UPLOADS_IDLE_TIMOUT.*BERTH_UPLOADS_IDLE_TIMEOUT/);
    rejects({ flags: { port: '5000' } as never }, 'unknown config flag --port');
    rejects({ env: { BERTH_AUTH: 'none', BERTH_AUTH_MODE: 'required' } }, /BERTH_AUTH=.*BERTH_AUTH_MODE=.*disagree/);
    assert.equal(load({ env: { BERTH_AUTH: 'none', BERTH_AUTH_MODE: 'none' } }).auth.mode, 'none');
  });
});

describe('loadConfig: paths and freezing', () => {
  it('resolves relative paths against the working directory at load time', () => {
    const c = load({ flags: { data: 'd', meta: 'sqlite:m/meta.db', blobs: 'file://b' } });
    assert.equal(c.data, join(CWD, 'd'));
    assert.equal(c.meta.url, `sqlite:${join(CWD, 'm/meta.db')}`);
    assert.equal(c.blobs.url, `file:${join(CWD, 'b')}`);
    const abs = load({ flags: { data: '/srv/berth', meta: 'sqlite:///var/meta.db', blobs: 'file:' } });
    assert.equal(abs.data, '/srv/berth');
    assert.equal(abs.meta.url, 'sqlite:/var/meta.db');
    assert.equal(abs.blobs.url, 'file:/srv/berth');
    const remote = load({ flags: { meta: 'postgres://u@db/berth', blobs: 's3://bucket/prefix' } });
    assert.equal(remote.meta.url, 'postgres://u@db/berth');
    assert.equal(remote.blobs.url, 's3://bucket/prefix');
    assert.equal(basename(loadConfig({ env: {} }).data), 'data', 'cwd defaults to process.cwd()');
  });

  it('returns a deep-frozen config: mutation throws in strict mode', () => {
    const c = load();
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.uploads) && Object.isFrozen(c.auth));
    assert.throws(() => {
      (c as { listen: string }).listen = '0.0.0.0:1';
    }, TypeError);
    assert.throws(() => {
      (c.uploads as { maxConcurrent: number }).maxConcurrent = 1;
    }, TypeError);
    assert.throws(() => {
      (c.auth as { mode: string }).mode = 'none';
    }, TypeError);
    assert.throws(() => {
      (c as unknown as Record<string, unknown>).extra = 1;
    }, TypeError);
    assert.equal(c.listen, '127.0.0.1:5000');
  });
});
