/**
 * The journal's prepared statements, compiled once per database.
 */
import type { DatabaseSync } from "node:sqlite";

const CANDIDATE = `SELECT seq, message_id, session_id, body, properties, ready_at, delivery_count FROM messages
  WHERE queue = ? AND dead = 0 AND ready_at <= ? AND hold_until <= ?`;
const ORDER = "ORDER BY ready_at, seq LIMIT 1";

export function prepareStatements(db: DatabaseSync) {
  const prepare = (text: string) => db.prepare(text);
  return {
    seen: prepare("SELECT seq, first_at FROM seen WHERE queue = ? AND message_id = ?"),
    remember: prepare("INSERT OR REPLACE INTO seen (queue, message_id, seq, first_at) VALUES (?, ?, ?, ?)"),
    forget: prepare("DELETE FROM seen WHERE queue = ? AND first_at <= ?"),
    insert: prepare(
      "INSERT INTO messages (queue, message_id, session_id, body, properties, ready_at) VALUES (?, ?, ?, ?, ?, ?)",
    ),
    next: prepare(`${CANDIDATE} ${ORDER}`),
    // FIFO per session: a session whose head is locked or backing off is skipped as a whole.
    nextInSession: prepare(`${CANDIDATE} AND (session_id IS NULL OR session_id NOT IN (
      SELECT session_id FROM messages WHERE queue = ? AND dead = 0 AND hold_until > ? AND session_id IS NOT NULL))
      ${ORDER}`),
    lock: prepare(
      "UPDATE messages SET lock_token = ?, hold_until = ?, delivery_count = delivery_count + 1 WHERE seq = ?",
    ),
    complete: prepare("DELETE FROM messages WHERE seq = ? AND lock_token = ? AND hold_until > ?"),
    abandon: prepare(`UPDATE messages SET lock_token = NULL, hold_until = ?, last_error = ?
      WHERE seq = ? AND lock_token = ? AND hold_until > ?`),
    deadLetter:
      prepare(`UPDATE messages SET dead = 1, lock_token = NULL, hold_until = 0, dead_lettered_at = ?,
      dead_letter_reason = ?, dead_letter_description = ?, last_error = ?
      WHERE seq = ? AND lock_token = ? AND hold_until > ?`),
    deadLetterUnlocked: prepare(`UPDATE messages SET dead = 1, lock_token = NULL, hold_until = 0,
      dead_lettered_at = ?, dead_letter_reason = ?, dead_letter_description = ? WHERE seq = ?`),
    cancel: prepare(
      "DELETE FROM messages WHERE queue = ? AND seq = ? AND ready_at > ? AND delivery_count = 0",
    ),
    release: prepare("UPDATE messages SET lock_token = NULL, hold_until = 0 WHERE lock_token IS NOT NULL"),
    depth: prepare(`SELECT COALESCE(SUM(dead = 0 AND ready_at <= ?), 0) AS active,
      COALESCE(SUM(dead = 0 AND ready_at > ?), 0) AS scheduled, COALESCE(SUM(dead = 1), 0) AS dead
      FROM messages WHERE queue = ?`),
    peekDead: prepare(`SELECT message_id, dead_letter_reason, dead_letter_description, body FROM messages
      WHERE queue = ? AND dead = 1 ORDER BY dead_lettered_at, seq LIMIT ?`),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
