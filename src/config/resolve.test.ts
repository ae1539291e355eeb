// The auth-mode and listen-safety tables: the guard against an open registry on the network.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRegistryError } from '../core/index.ts';
import { loadConfig } from './load.ts';
import { checkListenSafety, registryHostNames, resolveAuthMode } from './resolve.ts';

type Mode = 'none' | 'required' | 'auto';
const config = (listen: string, auth: Mode, insecure = false) => loadConfig({ env: {}, cwd: '/tmp', flags: { listen, auth, insecure } });

describe('resolveAuthMode', () => {
  const table: [string, Mode, boolean, 'none' | 'required'][] = [
    ['127.0.0.1:5000', 'auto', false, 'none'],
    ['127.1.2.3:1', 'auto', false, 'none'],
    ['[::1]:5000', 'auto', false, 'none'],
    ['localhost:5000', 'auto', false, 'none'],
    ['0.0.0.0:5000', 'auto', false, 'required'],
    ['192.0.2.1:5000', 'auto', false, 'required'],
    ['[::]:5000', 'auto', false, 'required'],
    ['registry.example:5000', 'auto', false, 'required'],
    ['0.0.0.0:5000', 'auto', true, 'required'], // insecure permits "none"; it never switches auth off by itself
    ['0.0.0.0:5000', 'none', true, 'none'],
    ['127.0.0.1:5000', 'required', false, 'required'],
  ];
  for (const [listen, mode, insecure, expected] of table) {
    it(`${listen} mode=${mode}${insecure ? ' insecure' : ''} -> ${expected}`, () => {
      assert.equal(resolveAuthMode(config(listen, mode, insecure)), expected);
    });
  }
});

describe('checkListenSafety', () => {
  const table: [string, Mode, boolean, boolean][] = [
    ['127.0.0.1:5000', 'none', false, true],
    ['[::1]:5000', 'none', false, true],
    ['localhost:5000', 'none', false, true],
    ['0.0.0.0:5000', 'none', false, false],
    ['192.0.2.1:5000', 'none', false, false],
    ['[::]:5000', 'none', false, false],
    ['0.0.0.0:5000', 'none', true, true],
    ['192.0.2.1:5000', 'none', true, true],
    ['0.0.0.0:5000', 'required', false, true],
    ['192.0.2.1:5000', 'required', false, true],
    ['0.0.0.0:5000', 'auto', false, true],
    ['127.0.0.1:5000', 'auto', false, true],
  ];
  for (const [listen, mode, insecure, ok] of table) {
    it(`${listen} auth=${mode}${insecure ? ' insecure' : ''}: ${ok ? 'allowed' : 'refused'}`, () => {
      const c = config(listen, mode, insecure);
      if (ok) {
        assert.doesNotThrow(() => checkListenSafety(c));
      } else {
        assert.throws(
          () => checkListenSafety(c),
          (e: unknown) => {
            assert.ok(isRegistryError(e));
            assert.equal(e.code, 'INVALID_REQUEST');
            assert.ok(e.message.includes(listen), e.message);
            assert.match(e.message, /without authentication.*--auth required.*--insecure/);
            return true;
          },
        );
      }
    });
  }

  it('works on a plain object too (callers and tests need not load a file)', () => {
    assert.throws(() => checkListenSafety({ listen: '0.0.0.0:1', auth: { mode: 'none', insecure: false } }));
  });
});

describe('registryHostNames', () => {
  const load = (env: Record<string, string>) => loadConfig({ env, cwd: '/tmp' });
  it('defaults to the listen address (the bound one for port 0) and localhost on its port', () => {
    assert.deepEqual(registryHostNames(load({})), ['127.0.0.1:5000', 'localhost:5000']);
    assert.deepEqual(registryHostNames(load({ BERTH_LISTEN: '127.0.0.1:0' }), '127.0.0.1:41234'), ['127.0.0.1:41234', 'localhost:41234']);
    assert.deepEqual(registryHostNames({ listen: '[::1]:5000', registry: { hostNames: [] } }), ['[::1]:5000', 'localhost:5000']);
    assert.deepEqual(registryHostNames({ listen: 'localhost:5000', registry: { hostNames: [] } }), ['localhost:5000']);
  });
  it('takes registry.hostNames as given (a list, or comma-separated from the environment), lowercase', () => {
    assert.deepEqual(registryHostNames(load({ BERTH_REGISTRY_HOST_NAMES: 'Registry.Example.com, 10.0.0.5:5000' })), ['registry.example.com', '10.0.0.5:5000']);
    assert.throws(() => load({ BERTH_REGISTRY_HOST_NAMES: 'https://registry.example.com' }), /HOST or HOST:PORT/);
  });
});
