// Brings a database file up to the schema this build expects, safely even when the server and the CLI open a
// fresh file at the same moment: the version is re-read under the write lock before each step.
import type Database from 'better-sqlite3';
import type { Migration } from './schema.ts';

function versionOf(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Applies the migrations newer than the file's user_version, each in one IMMEDIATE transaction; returns the version. */
export function migrate(db: Database.Database, migrations: readonly Migration[]): number {
  const latest = migrations.at(-1)?.version ?? 0;
  const found = versionOf(db);
  if (found > latest) {
    throw new Error(`metadata database schema is version ${found}, newer than this berth understands (${latest}); upgrade berth`);
  }
  if (found === latest) return found; // the common case takes no write lock at all
  // Table rebuilds need foreign keys off, and the switch is ignored inside a transaction: so it happens here.
  const foreignKeys = db.pragma('foreign_keys', { simple: true }) === 1;
  db.pragma('foreign_keys = OFF');
  try {
    for (const m of migrations) {
      db.transaction(() => {
        const current = versionOf(db);
        if (current >= m.version) return; // another process applied it while we waited for the lock
        if (current !== m.version - 1) throw new Error(`metadata schema migration ${m.version} needs version ${m.version - 1}, found ${current}`);
        db.exec(m.sql);
        const broken = db.pragma('foreign_key_check') as unknown[];
        if (broken.length > 0) throw new Error(`metadata schema migration ${m.version} found ${broken.length} broken reference(s); not applied`);
        db.pragma(`user_version = ${m.version}`);
      }).immediate();
    }
  } finally {
    db.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);
  }
  return versionOf(db);
}
