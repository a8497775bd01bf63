/**
 * Opens the in-process bus's journal: one SQLite file (Node's built-in `node:sqlite`), WAL mode.
 *
 * Why `synchronous = FULL`: the bus acknowledges a publish or a settlement only after its transaction is
 * committed, and FULL makes a commit an fsync of the WAL. NORMAL would already survive `kill -9` of the
 * process (a committed WAL frame sits in the OS page cache), but a power cut or a crashed VM could roll back
 * the last acknowledged messages, and "accepted means on disk" is the promise this bus makes. The cost is
 * one fsync per commit (~0.2 ms here); commits are batched (publishMany, group commit of concurrent
 * publishes and settlements, one claim transaction per batch of free handler slots), so throughput stays in
 * the thousands of messages per second.
 */
import type { DatabaseSync } from "node:sqlite";

type SqliteModule = typeof import("node:sqlite");

let sqlite: SqliteModule | undefined;

/**
 * Loads `node:sqlite` without its one-time ExperimentalWarning: the warning is emitted synchronously while
 * the module loads, so filtering exactly that warning for the duration of this one call silences nothing
 * else (every other warning, before, during or after, goes through untouched).
 */
function loadSqlite(): SqliteModule {
  if (sqlite) return sqlite;
  const emitWarning = process.emitWarning;
  const filtered = (warning: string | Error, ...rest: unknown[]): void => {
    const text = typeof warning === "string" ? warning : warning.message;
    const type = typeof rest[0] === "string" ? rest[0] : (rest[0] as { type?: unknown } | undefined)?.type;
    if (type === "ExperimentalWarning" && /SQLite/i.test(text)) return;
    Reflect.apply(emitWarning, process, [warning, ...rest]);
  };
  process.emitWarning = filtered as typeof process.emitWarning;
  try {
    sqlite = process.getBuiltinModule("node:sqlite");
    return sqlite;
  } finally {
    process.emitWarning = emitWarning;
  }
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  queue TEXT NOT NULL,
  message_id TEXT NOT NULL,
  session_id TEXT,
  body TEXT NOT NULL,
  properties TEXT NOT NULL,
  -- When it became (or becomes, if scheduled) deliverable; FIFO order within a session is (ready_at, seq).
  ready_at INTEGER NOT NULL,
  -- Not deliverable before this: the end of a lock (with lock_token set) or of an abandon's back-off.
  hold_until INTEGER NOT NULL DEFAULT 0,
  lock_token TEXT,
  delivery_count INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  dead INTEGER NOT NULL DEFAULT 0,
  dead_lettered_at INTEGER,
  dead_letter_reason TEXT,
  dead_letter_description TEXT
);
CREATE INDEX IF NOT EXISTS messages_order ON messages (queue, dead, ready_at, seq);
CREATE INDEX IF NOT EXISTS messages_held ON messages (queue, dead, hold_until);
CREATE INDEX IF NOT EXISTS messages_dead ON messages (queue, dead, dead_lettered_at, seq);
-- Duplicate detection history: the first message with an id within the queue's window.
CREATE TABLE IF NOT EXISTS seen (
  queue TEXT NOT NULL,
  message_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  first_at INTEGER NOT NULL,
  PRIMARY KEY (queue, message_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS seen_age ON seen (first_at);
`;

/** Opens (creating if needed) the journal file with the pragmas the durability promise depends on. */
export function openJournalDatabase(file: string): DatabaseSync {
  const { DatabaseSync } = loadSqlite();
  const db = new DatabaseSync(file);
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = FULL");
  // Another process holding the write lock (a second bus on the same file) is waited for, not failed.
  db.exec("PRAGMA busy_timeout = 5000");
  db.exec(SCHEMA);
  return db;
}
