import type { OtpChannel } from '../../../electron/shared/api';
import { toIsoTime } from '../clock';
import { maskDestination } from '../delivery/mask-destination';
import type { NoticeMessage } from '../delivery/types';
import type { ServerContext } from '../server-context';

export interface ContactChangedNotices {
  userId: string;
  displayName: string;
  practiceName: string;
  /** The account's email address before the change, which receives a notice about every changed contact. */
  oldEmail: string | null;
  /** The mobile number before the change; it gets a text when the mobile number changed. */
  oldMobile: string | null;
  /** Each contact whose value changed, with its new value, or null when it was removed. */
  changes: ReadonlyArray<{ channel: OtpChannel; newValue: string | null }>;
  changedBy: 'owner' | 'practice_admin';
  occurredAt: number;
}

/**
 * Tells the old destinations that a contact changed: an email to the previous email address for
 * each change, and a text to the previous mobile number when that number changed. Call it after
 * the change has committed. It returns at once, so a slow or failing provider never delays or
 * fails the request, and a failure is logged at warn because the change itself succeeded.
 */
export function sendContactChangedNotices(context: ServerContext, notices: ContactChangedNotices): void {
  for (const change of notices.changes) {
    const changedContact = {
      channel: change.channel,
      maskedNewValue: change.newValue === null ? null : maskDestination(change.channel, change.newValue),
      changedBy: notices.changedBy,
    };
    if (notices.oldEmail !== null) {
      sendNotice(context, 'email', notices, { to: notices.oldEmail, changedContact });
    }
    if (change.channel === 'sms' && notices.oldMobile !== null) {
      sendNotice(context, 'sms', notices, { to: notices.oldMobile, changedContact });
    }
  }
}

function sendNotice(
  context: ServerContext,
  channel: OtpChannel,
  notices: ContactChangedNotices,
  fields: Pick<NoticeMessage, 'to' | 'changedContact'>,
): void {
  const facts = { kind: 'contact_changed', channel, userId: notices.userId };
  const deliverer = context.deliverers[channel];
  const deliverNotice = deliverer.deliverNotice?.bind(deliverer);
  if (deliverNotice === undefined) {
    context.logger.warn(facts, `security notice skipped, the ${channel} deliverer cannot send notices`);
    return;
  }
  const message: NoticeMessage = {
    kind: 'contact_changed',
    displayName: notices.displayName,
    practiceName: notices.practiceName,
    // The contact_changed text names no workstation or place, so these two fields stay empty.
    workstationName: '',
    location: '',
    occurredAt: toIsoTime(notices.occurredAt),
    ...fields,
  };
  void Promise.resolve()
    .then(() => deliverNotice(message))
    .catch((error: unknown) => {
      context.logger.warn({ ...facts, errorName: error instanceof Error ? error.name : typeof error }, 'security notice delivery failed');
    });
}
