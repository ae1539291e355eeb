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

test('a process that renames itself is charged what it spent meanwhile, not its whole life', async () => {
  // Spins 400 ms before the window, then renames itself (as kernel workers do by job) inside it and sleeps.
  const renamer = child(
    'const t = Date.now(); while (Date.now() - t < 400); ' +
      'process.on("SIGUSR2", () => { process.title = "renamed-probe"; process.stdout.write("renamed\\n"); }); process.stdout.write("spun\\n"); setTimeout(() => {}, 60_000)',
  );
  // One listener for the whole life of the pipe: a second once() would miss what came after the first resolved.
  let out = '';
  const said = (text: string): Promise<void> =>
    new Promise((resolve) => {
      const check = (): void => {
        if (!out.includes(text)) return;
        renamer.stdout!.off('data', check);
        resolve();
      };
      renamer.stdout!.on('data', check);
      check();
    });
  renamer.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  await said('spun');
  try {
    const { cpuMs } = await cpuDuring(new Map(), async () => {
      renamer.kill('SIGUSR2');
      await said('renamed');
    });
    const comm = (await import('node:fs')).readFileSync(`/proc/${renamer.pid}/comm`, 'utf8').trim();
    assert.equal(comm, 'renamed-probe', 'the child did rename itself inside the window');
    assert.ok((cpuMs['renamed-probe'] ?? 0) < 250, `the renamed process's 400 ms before the window were charged: ${JSON.stringify(cpuMs)}`);
  } finally {
    renamer.kill();
  }
});
