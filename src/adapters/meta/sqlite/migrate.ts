// Brings a database file up to the schema this build expects, safely even when the server and the CLI open a
// fresh file at the same moment: the version is re-read under the write lock before each step.
import type Database from 'better-sqlite3';
import { BASELINE_VERSION, type DdlTypes, MIGRATIONS, type Migration } from '../migrations.ts';
import { LEGACY_STEPS } from './legacy-schema.ts';
import { whileBusy } from './while-busy.ts';

export const SQLITE_TYPES: DdlTypes = { text: 'TEXT', bytes: 'BLOB', serialKey: 'INTEGER PRIMARY KEY AUTOINCREMENT', engine: 'sqlite' };

interface Step {
  from: number;
  to: number;
  sql: string;
}

function versionOf(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** A fresh file takes the shared list from its baseline; an older one its SQLite history to the baseline first. */
function plan(found: number, migrations: readonly Migration[]): Step[] {
  const shared = (after: number): Step[] =>
    migrations
      .filter((m) => m.version > after)
      .map((m, i, list) => ({ from: i === 0 ? after : list[i - 1]!.version, to: m.version, sql: m.ddl(SQLITE_TYPES) }));
  if (found === 0) return shared(0);
  const legacy = LEGACY_STEPS.filter((s) => s.version > found && s.version <= BASELINE_VERSION).map((s) => ({
    from: s.version - 1,
    to: s.version,
    sql: s.sql,
  }));
  return [...legacy, ...shared(Math.max(found, BASELINE_VERSION))];
}

/** Applies the steps newer than the file's user_version, each in one IMMEDIATE transaction; returns the version. */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number {
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
    for (const step of plan(found, migrations)) {
      whileBusy(
        () =>
          db
            .transaction(() => {
              const current = versionOf(db);
              if (current >= step.to) return; // another process applied it while we waited for the lock
              if (current !== step.from) throw new Error(`metadata schema migration ${step.to} needs version ${step.from}, found ${current}`);
              db.exec(step.sql);
              const broken = db.pragma('foreign_key_check') as unknown[];
              if (broken.length > 0) throw new Error(`metadata schema migration ${step.to} found ${broken.length} broken reference(s); not applied`);
              db.pragma(`user_version = ${step.to}`);
            })
            .immediate(),
        MIGRATION_WAIT_MS,
        50,
      );
    }
    // A rebuild (18) leaves its whole copy in the WAL, which SQLite reuses but never shrinks: give the disk back now.
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);
  }
  return versionOf(db);
}

/**
 * How long a process waits for another that holds the write lock, which may be upgrading the same file (schema 18
 * rebuilds tables: ~14 s per million blobs), longer than a request's busy timeout; each step re-reads the version once
 * it has the lock, so a process that started beside the upgrade finds the work done instead of failing.
 */
export const MIGRATION_WAIT_MS = 15 * 60_000;
