import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from './load.ts';
import { checkListenSafety, resolveAuthMode } from './resolve.ts';
import { parseDuration, parseSize } from './units.ts';

const EXAMPLE = resolve(import.meta.dirname, '../../config.example.yaml');

async function file(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-config-'));
  const path = join(dir, 'c.yaml');
  await writeFile(path, text);
  return path;
}

describe('loadConfig', () => {
  it('loads the example config, which states the defaults', () => {
    const example = loadConfig({ file: EXAMPLE, env: {} });
    const defaults = loadConfig({ env: {} });
    assert.deepEqual(example, defaults);
    assert.equal(example.listen, '127.0.0.1:5000');
    assert.equal(example.data, resolve('./data'));
    assert.equal(example.uploads.idleTimeout, 24 * 3_600_000);
    assert.equal(example.manifests.maxBytes, 4 * 1024 * 1024);
    assert.equal(example.auth.tokenTtl, 300_000);
  });

  it('applies flags over env over file', async () => {
    const path = await file('listen: "127.0.0.1:6000"\nuploads:\n  idleTimeout: 1h\n  maxConcurrent: 3\n');
    assert.equal(loadConfig({ file: path, env: {} }).listen, '127.0.0.1:6000');
    const env = { BERTH_LISTEN: '127.0.0.1:7000', BERTH_UPLOADS_IDLE_TIMEOUT: '2h', BERTH_UPLOADS_MAX_CONCURRENT: '5' };
    const fromEnv = loadConfig({ file: path, env });
    assert.equal(fromEnv.listen, '127.0.0.1:7000');
    assert.equal(fromEnv.uploads.idleTimeout, 7_200_000);
    assert.equal(fromEnv.uploads.maxConcurrent, 5);
    assert.equal(loadConfig({ file: path, env, flags: { listen: '127.0.0.1:8000' } }).listen, '127.0.0.1:8000');
    assert.equal(loadConfig({ env: { BERTH_CONFIG: path } }).listen, '127.0.0.1:6000', 'BERTH_CONFIG names the file');
  });

  it('rejects unknown keys, bad values and unreadable files with the key path', async () => {
    const code = (e: Error & { code?: string }): boolean => e.code === 'INVALID_REQUEST';
    await assert.rejects(async () => loadConfig({ file: await file('uploads:\n  idleTimeot: 1h\n'), env: {} }), (e: Error) => code(e) && /idleTimeot/.test(e.message));
    await assert.rejects(async () => loadConfig({ file: await file('uploads:\n  idleTimeout: soon\n'), env: {} }), (e: Error) => /uploads\.idleTimeout/.test(e.message));
    await assert.rejects(async () => loadConfig({ file: await file('manifests:\n  maxBytes: lots\n'), env: {} }), (e: Error) => /manifests\.maxBytes/.test(e.message));
    assert.throws(() => loadConfig({ env: {}, flags: { listen: 'nowhere' } }), (e: Error) => /listen/.test(e.message));
    assert.throws(() => loadConfig({ env: {}, flags: { listen: '127.0.0.1:70000' } }), code);
    assert.throws(() => loadConfig({ file: '/nonexistent/berth.yaml', env: {} }), (e: Error) => /nonexistent/.test(e.message));
    await assert.rejects(async () => loadConfig({ file: await file('- a\n- b\n'), env: {} }), code);
  });

  it('is frozen', () => {
    const c = loadConfig({ env: {} });
    assert.throws(() => {
      (c as { listen: string }).listen = 'x';
    }, TypeError);
    assert.throws(() => {
      (c.uploads as { maxConcurrent: number }).maxConcurrent = 1;
    }, TypeError);
  });
});

describe('listen safety and auth mode', () => {
  const cfg = (listen: string, flags: Record<string, unknown> = {}) => loadConfig({ env: {}, flags: { listen, ...flags } });
  it('auto mode: no auth on loopback, required elsewhere', () => {
    for (const l of ['127.0.0.1:5000', '[::1]:5000', 'localhost:5000', '127.1.2.3:1']) assert.equal(resolveAuthMode(cfg(l)), 'none', l);
    for (const l of ['0.0.0.0:5000', '192.0.2.1:5000', '[::]:5000']) assert.equal(resolveAuthMode(cfg(l)), 'required', l);
    assert.equal(resolveAuthMode(cfg('0.0.0.0:5000', { insecure: true })), 'none');
  });
  it('refuses anonymous access off loopback unless insecure', () => {
    assert.doesNotThrow(() => checkListenSafety(cfg('127.0.0.1:5000', { auth: 'none' })));
    assert.throws(() => checkListenSafety(cfg('0.0.0.0:5000', { auth: 'none' })), /insecure/);
    assert.doesNotThrow(() => checkListenSafety(cfg('0.0.0.0:5000', { auth: 'none', insecure: true })));
    assert.doesNotThrow(() => checkListenSafety(cfg('0.0.0.0:5000', { auth: 'required' })));
  });
});

describe('units', () => {
  it('parses durations and sizes', () => {
    assert.equal(parseDuration('0'), 0);
    assert.equal(parseDuration('90s'), 90_000);
    assert.equal(parseDuration('7d'), 7 * 86_400_000);
    assert.equal(parseDuration('5'), null);
    assert.equal(parseDuration('1 h'), null);
    assert.equal(parseSize('4MiB'), 4 * 1024 * 1024);
    assert.equal(parseSize(1024), 1024);
    assert.equal(parseSize('4 parsecs'), null);
  });
});
