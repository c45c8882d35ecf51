import type { AuditEventRecord, AuditOutcome, AuditSortColumn } from '../../../electron/shared/api';
import { toIsoTime } from '../clock';
import type { Db } from '../db/database';
import { failure, type Result } from '../errors/api-error';
import { toUsernameKey } from '../users/user-repository';

/** Filters, sort and page of one audit query, already parsed from the request. */
export interface AuditQuery {
  practiceId: string;
  user?: string;
  event?: string;
  outcome?: AuditOutcome;
  fromMs?: number;
  toMs?: number;
  sort: AuditSortColumn;
  order: 'asc' | 'desc';
  pageSize: number;
  cursor?: string;
}

export interface AuditPage {
  events: AuditEventRecord[];
  nextCursor: string | null;
}

/**
 * SQL expression of each sortable column. Text columns compare with NULL as '' so that the keyset
 * condition `(key, id) < (?, ?)` never meets a NULL, which would drop rows from every later page.
 */
const sortExpressions: Readonly<Record<AuditSortColumn, string>> = {
  occurredAt: 'e.occurred_at',
  event: 'e.event',
  outcome: 'e.outcome',
  username: "COALESCE(u.username, e.username, '')",
  ip: "COALESCE(e.ip, '')",
};

/**
 * Returns one page of the practice's audit rows in keyset order, so page 1000 costs the same as
 * page 1. With the default sort (time, newest first) SQLite walks an (occurred_at, id) index and
 * stops after `pageSize` rows. Other sorts read every matching row and keep the top `pageSize`.
 */
export function findAuditEventPage(db: Db, query: AuditQuery): Result<AuditPage> {
  const cursor = query.cursor === undefined ? null : decodeCursor(query.cursor, query.sort, query.order);
  if (cursor === undefined) {
    return failure('VALIDATION_FAILED', { field: '/cursor' });
  }

  const rows = selectAuditRows(db, query, cursor, query.pageSize + 1);
  const hasMore = rows.length > query.pageSize;
  const pageRows = hasMore ? rows.slice(0, query.pageSize) : rows;
  const last = pageRows.at(-1);
  const nextCursor = hasMore && last !== undefined ? encodeCursor(query.sort, query.order, last.sort_key, last.id) : null;
  return { ok: true, events: pageRows.map(toAuditEventRecord), nextCursor };
}

/**
 * Yields every matching row in the query's order, reading `batchSize` rows per statement so a
 * large export never locks the database or blocks the event loop for long.
 */
export function* iterateAuditEvents(db: Db, query: Omit<AuditQuery, 'pageSize' | 'cursor'>, batchSize = 1000): Generator<AuditEventRecord[]> {
  let cursor: DecodedCursor | null = null;
  for (;;) {
    const rows = selectAuditRows(db, { ...query, pageSize: batchSize }, cursor, batchSize);
    if (rows.length === 0) {
      return;
    }
    yield rows.map(toAuditEventRecord);
    const last = rows.at(-1);
    if (rows.length < batchSize || last === undefined) {
      return;
    }
    cursor = { value: last.sort_key, id: last.id };
  }
}

function selectAuditRows(db: Db, query: AuditQuery, cursor: DecodedCursor | null, limit: number): AuditQueryRow[] {
  const sortExpression = sortExpressions[query.sort];
  const direction = query.order === 'asc' ? 'ASC' : 'DESC';
  const conditions: string[] = [];
  const params: Record<string, string | number> = { limit };
  // With a user filter, the user's indexes drive the query and the matching rows are sorted. A
  // unary + on every other filtered or sorted column keeps SQLite from walking the practice, event
  // or time index in page order instead, which can read every row of the log to find one user's rows.
  const filterColumn = (name: string): string => (query.user === undefined ? name : `+${name}`);
  const sortKey = filterColumn(sortExpression);
  const idKey = filterColumn('e.id');

  // On a server with one practice, rows that name no practice (unknown usernames, per-IP rate
  // limits) can only concern that practice, so its administrators see them too. With several
  // practices those rows stay server-wide and the viewer shows only the practice's own rows.
  if (!isOnlyPractice(db, query.practiceId)) {
    conditions.push(`${filterColumn('e.practice_id')} = @practiceId`);
    params.practiceId = query.practiceId;
  }
  if (query.user !== undefined) {
    const userId = findUserIdInPractice(db, query.user, query.practiceId);
    params.username = query.user;
    if (userId === null) {
      conditions.push('(e.user_id IS NULL AND e.username = @username COLLATE NOCASE)');
    } else {
      // An administrator's action on this user is stored under the administrator's id and names
      // this user in target_user_id. SQLite reads an OR of these through its indexes only when no
      // branch has a COLLATE, so each branch is its own indexed subquery instead.
      conditions.push(
        `e.id IN (SELECT id FROM audit_events WHERE user_id = @userId
                  UNION ALL SELECT id FROM audit_events WHERE target_user_id = @userId
                  UNION ALL SELECT id FROM audit_events WHERE user_id IS NULL AND username = @username COLLATE NOCASE)`,
      );
      params.userId = userId;
    }
  }
  if (query.event !== undefined) {
    conditions.push(`${filterColumn('e.event')} = @event`);
    params.event = query.event;
  }
  if (query.outcome !== undefined) {
    conditions.push('e.outcome = @outcome');
    params.outcome = query.outcome;
  }
  if (query.fromMs !== undefined) {
    conditions.push(`${filterColumn('e.occurred_at')} >= @fromMs`);
    params.fromMs = query.fromMs;
  }
  if (query.toMs !== undefined) {
    conditions.push(`${filterColumn('e.occurred_at')} < @toMs`);
    params.toMs = query.toMs;
  }
  if (cursor !== null) {
    conditions.push(`(${sortKey}, ${idKey}) ${query.order === 'asc' ? '>' : '<'} (@cursorValue, @cursorId)`);
    params.cursorValue = cursor.value;
    params.cursorId = cursor.id;
  }

  const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
  const sql = `
    SELECT e.id, e.occurred_at, e.event, e.outcome, COALESCE(u.username, e.username) AS username,
           e.ip, e.device, e.reason, e.details, ${sortExpression} AS sort_key
    FROM audit_events e
    LEFT JOIN users u ON u.id = e.user_id
    ${where}
    ORDER BY ${sortKey} ${direction}, ${idKey} ${direction}
    LIMIT @limit`;
  return db.prepare(sql).all(params) as AuditQueryRow[];
}

function isOnlyPractice(db: Db, practiceId: string): boolean {
  const row = db.prepare('SELECT COUNT(*) AS count, MIN(id) AS id FROM practices').get() as { count: number; id: string | null };
  return row.count === 1 && row.id === practiceId;
}

function findUserIdInPractice(db: Db, username: string, practiceId: string): string | null {
  const row = db.prepare('SELECT id FROM users WHERE username_key = ? AND practice_id = ?').get(toUsernameKey(username), practiceId) as
    | { id: string }
    | undefined;
  return row?.id ?? null;
}

function toAuditEventRecord(row: AuditQueryRow): AuditEventRecord {
  return {
    id: row.id,
    occurredAt: toIsoTime(row.occurred_at),
    event: row.event,
    outcome: row.outcome,
    username: row.username,
    ip: row.ip,
    device: row.device,
    reason: row.reason,
    details: row.details,
  };
}

/** Encodes the position after a row. It names its sort, so a cursor from another sort or order is rejected instead of skipping rows. */
function encodeCursor(sort: AuditSortColumn, order: 'asc' | 'desc', value: string | number, id: number): string {
  return Buffer.from(JSON.stringify([sort, order, value, id]), 'utf8').toString('base64url');
}

/** Returns the cursor's position, or undefined when it is malformed or belongs to another sort. */
function decodeCursor(text: string, sort: AuditSortColumn, order: 'asc' | 'desc'): DecodedCursor | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 4) {
    return undefined;
  }
  const [cursorSort, cursorOrder, value, id] = parsed as unknown[];
  const isValueValid = sort === 'occurredAt' ? Number.isSafeInteger(value) : typeof value === 'string';
  if (cursorSort !== sort || cursorOrder !== order || !isValueValid || !Number.isSafeInteger(id)) {
    return undefined;
  }
  return { value: value as string | number, id: id as number };
}

interface DecodedCursor {
  value: string | number;
  id: number;
}

interface AuditQueryRow {
  id: number;
  occurred_at: number;
  event: string;
  outcome: AuditOutcome;
  username: string | null;
  ip: string | null;
  device: string | null;
  reason: string | null;
  details: string;
  sort_key: string | number;
}
