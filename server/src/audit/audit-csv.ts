import type { AuditEventRecord } from '../../../electron/shared/api';

export const auditCsvHeader = ['id', 'occurred_at_utc', 'event', 'outcome', 'username', 'ip', 'device', 'reason', 'details'] as const;

/** Formats one CSV line (RFC 4180, CRLF line ending) for an audit row. */
export function formatAuditCsvRow(record: AuditEventRecord): string {
  return formatCsvLine([
    String(record.id),
    record.occurredAt,
    record.event,
    record.outcome,
    record.username ?? '',
    record.ip ?? '',
    record.device ?? '',
    record.reason ?? '',
    record.details,
  ]);
}

export function formatCsvLine(cells: readonly string[]): string {
  return `${cells.map(formatCsvCell).join(',')}\r\n`;
}

/**
 * Quotes a cell when it contains a comma, quote or line break (RFC 4180). A cell that a spreadsheet
 * would run as a formula (starting with = + - @, tab or carriage return) gets a leading apostrophe,
 * because a username typed at the sign-in screen reaches this file unchanged.
 */
export function formatCsvCell(value: string): string {
  const neutralized = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(neutralized) ? `"${neutralized.replaceAll('"', '""')}"` : neutralized;
}
