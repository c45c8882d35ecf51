import type { AuditEventQuery, AuditSortColumn } from '../../../electron/shared/api';

/** Audit event names the filter offers, each with the label the viewer shows. */
export const auditEventLabels: ReadonlyArray<{ event: string; label: string }> = [
  { event: 'password.verified', label: 'Password accepted' },
  { event: 'password.rejected', label: 'Password rejected' },
  { event: 'mfa.required', label: 'Code required' },
  { event: 'otp.sent', label: 'Code sent' },
  { event: 'otp.delivery_failed', label: 'Code delivery failed' },
  { event: 'otp.accepted', label: 'Code accepted' },
  { event: 'otp.rejected', label: 'Code rejected' },
  { event: 'otp.challenge_locked', label: 'Sign-in attempt locked' },
  { event: 'account.locked', label: 'Account locked' },
  { event: 'session.created', label: 'Session created' },
  { event: 'session.expired', label: 'Session expired' },
  { event: 'session.timed_out', label: 'Session timed out' },
  { event: 'session.revoked', label: 'Session revoked' },
  { event: 'session.device_mismatch', label: 'Session used on another workstation' },
  { event: 'device.trusted', label: 'Workstation remembered' },
  { event: 'device.trust_rejected', label: 'Workstation trust rejected' },
  { event: 'device.renamed', label: 'Workstation renamed' },
  { event: 'device.revoked', label: 'Workstation revoked' },
  { event: 'request.rate_limited', label: 'Rate limited' },
  { event: 'password_reset.requested', label: 'Password reset requested' },
  { event: 'password_reset.code_accepted', label: 'Password reset code accepted' },
  { event: 'password_reset.completed', label: 'Password reset completed' },
  { event: 'password_reset.rejected', label: 'Password reset rejected' },
  { event: 'account_setup.code_issued', label: 'Setup code issued' },
  { event: 'account_setup.code_accepted', label: 'Setup code accepted' },
  { event: 'account_setup.code_rejected', label: 'Setup code rejected' },
  { event: 'account_setup.password_rejected', label: 'Setup password rejected' },
  { event: 'account_setup.completed', label: 'Account setup completed' },
  { event: 'password.changed', label: 'Password changed' },
  { event: 'password.change_rejected', label: 'Password change rejected' },
  { event: 'settings.changed', label: 'Setting changed' },
  { event: 'user.created', label: 'User created' },
  { event: 'user.changed', label: 'User changed' },
  { event: 'audit.exported', label: 'Audit log exported' },
  { event: 'audit.access_denied', label: 'Audit log access denied' },
];

export const auditColumnLabels: Readonly<Record<AuditSortColumn, string>> = {
  occurredAt: 'Time',
  event: 'Event',
  outcome: 'Outcome',
  username: 'User',
  ip: 'IP address',
};

/** Filter values as the form keeps them. Times are `datetime-local` values in the workstation's time zone. */
export interface AuditFilterForm {
  user: string;
  event: string;
  outcome: '' | 'success' | 'failure';
  from: string;
  to: string;
}

export const emptyAuditFilters: AuditFilterForm = { user: '', event: '', outcome: '', from: '', to: '' };

/** Turns the form into a query, or returns the problem to show when a value is invalid. */
export function toAuditQuery(form: AuditFilterForm): { ok: true; query: AuditEventQuery } | { ok: false; field: keyof AuditFilterForm; message: string } {
  const query: AuditEventQuery = {};
  const user = form.user.trim();
  if (user !== '') {
    query.user = user;
  }
  if (form.event !== '') {
    query.event = form.event;
  }
  if (form.outcome !== '') {
    query.outcome = form.outcome;
  }
  for (const field of ['from', 'to'] as const) {
    if (form[field] === '') {
      continue;
    }
    const instant = new Date(form[field]);
    if (Number.isNaN(instant.getTime())) {
      return { ok: false, field, message: `Enter the "${field === 'from' ? 'From' : 'To'}" time as a date and time.` };
    }
    query[field] = instant.toISOString();
  }
  if (query.from !== undefined && query.to !== undefined && query.from > query.to) {
    return { ok: false, field: 'to', message: 'The "To" time must be after the "From" time.' };
  }
  return { ok: true, query };
}

export function describeAuditEvent(event: string): string {
  return auditEventLabels.find((entry) => entry.event === event)?.label ?? event;
}

/**
 * Turns a row's details JSON into "key: value" pairs separated by semicolons, like
 * `target username: sam.rivera; action: deactivate`. Keys lose their camel case, null reads as
 * "none" and booleans as "yes" or "no". Text that is not a JSON object is returned unchanged.
 */
export function formatAuditDetails(details: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(details);
  } catch {
    return details;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return details;
  }
  return Object.entries(parsed)
    .map(([key, value]) => `${splitCamelCase(key)}: ${formatDetailValue(value)}`)
    .join('; ');
}

function splitCamelCase(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

function formatDetailValue(value: unknown): string {
  if (value === null) {
    return 'none';
  }
  if (typeof value === 'boolean') {
    return value ? 'yes' : 'no';
  }
  if (typeof value === 'string' || typeof value === 'number') {
    return String(value);
  }
  return JSON.stringify(value);
}
