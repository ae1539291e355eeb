// The WAL-index header watch is what lets the read cache skip PRAGMA data_version: it must see every commit, by this
// connection, another one in this process or another process, and must not report a change where there was none.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openDb } from './db.ts';
import { walHeaderWatch } from './wal-header.ts';

const dir = await mkdtemp(join(tmpdir(), 'berth-wal-header-'));
after(() => rm(dir, { recursive: true, force: true }));
const insert = "INSERT INTO namespaces (name, settings, created_at) VALUES (lower(hex(randomblob(8))), '{}', 0)";

describe('walHeaderWatch', () => {
  it('reports no change while nothing commits, and a change after each commit by any connection here', () => {
    const file = join(dir, 'a.db');
    const mine = openDb(file, 1_000);
    const other = openDb(file, 1_000);
    const watch = walHeaderWatch(file);
    assert.ok(watch, 'a WAL database has a -shm file to watch');
    assert.equal(watch.unchanged(), false, 'the first look has nothing to compare with');
    assert.equal(watch.unchanged(), true);
    other.raw.prepare('SELECT count(*) FROM namespaces').get();
    mine.raw.prepare('SELECT count(*) FROM namespaces').get();
    assert.equal(watch.unchanged(), true, 'reads change nothing');
    other.raw.exec(insert);
    assert.equal(watch.unchanged(), false, "another connection's commit");
    assert.equal(watch.unchanged(), true);
    mine.tx(() => mine.raw.exec(insert));
    assert.equal(watch.unchanged(), false, 'a commit through the watched connection');
    try {
      mine.tx(() => {
        mine.raw.exec(insert);
        throw new Error('roll back');
      });
    } catch {}
    assert.equal(watch.unchanged(), true, 'a rolled-back write leaves the header as it was');
    mine.raw.close();
    other.raw.close();
  });

  it('sees a commit made by another process', () => {
    const file = join(dir, 'b.db');
    const db = openDb(file, 1_000);
    const watch = walHeaderWatch(file)!;
    watch.unchanged();
    assert.equal(watch.unchanged(), true);
    const child = `import Database from 'better-sqlite3'; const d = new Database(process.argv[1], { timeout: 5000 }); d.exec(process.argv[2]); d.close();`;
    execFileSync(process.execPath, ['--input-type=module', '-e', child, file, insert], { cwd: import.meta.dirname });
    assert.equal(watch.unchanged(), false);
    assert.equal(db.raw.prepare('SELECT count(*) FROM namespaces').pluck().get(), 1, 'the child did commit');
    db.raw.close();
  });

  it('sees the commits of a file removed and created again under the same name', async () => {
    const sub = join(dir, 'again');
    const file = join(sub, 'c.db');
    for (let round = 0; round < 2; round++) {
      await rm(sub, { recursive: true, force: true });
      await mkdir(sub);
      const db = openDb(file, 1_000);
      const watch = walHeaderWatch(file)!;
      watch.unchanged();
      assert.equal(watch.unchanged(), true, `round ${round}`);
      new Database(file).exec(insert);
      assert.equal(watch.unchanged(), false, `round ${round}: a commit to the new file`);
      db.raw.close();
    }
  });

  it('has nothing to watch without WAL', () => {
    assert.equal(walHeaderWatch(':memory:'), undefined);
    const file = join(dir, 'rollback.db');
    new Database(file).exec('CREATE TABLE t (a)');
    assert.equal(walHeaderWatch(file), undefined);
  });
});
