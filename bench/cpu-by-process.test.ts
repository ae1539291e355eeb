// The CPU probe must charge a busy process, by its label, with about what it spent, and an idle one with nothing.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { cpuDuring } from './cpu-by-process.ts';

function child(code: string): ReturnType<typeof spawn> {
  return spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
}

test('a busy child is charged its CPU under its label, a sleeping one nothing', async () => {
  const sleeper = child('process.stdout.write("up\\n"); setTimeout(() => {}, 60_000)');
  await once(sleeper.stdout!, 'data');
  let busy: ReturnType<typeof spawn> | undefined;
  try {
    const labels = new Map([[sleeper.pid!, 'sleeper']]);
    const { result, cpuMs } = await cpuDuring(labels, async () => {
      // Spins 400 ms of CPU in a child that then stays up (a process that ended is no longer in /proc to be read).
      busy = child('const t = Date.now(); while (Date.now() - t < 400); process.stdout.write("done\\n"); setTimeout(() => {}, 60_000)');
      labels.set(busy.pid!, 'busy');
      return String((await once(busy.stdout!, 'data'))[0]);
    });
    assert.equal(result, 'done\n');
    assert.ok((cpuMs.busy ?? 0) >= 300, `busy: ${JSON.stringify(cpuMs)}`);
    assert.ok((cpuMs.sleeper ?? 0) < 50, `sleeper: ${JSON.stringify(cpuMs)}`);
  } finally {
    busy?.kill();
    sleeper.kill();
  }
});
