import { toIsoTime } from '../clock';
import { describeLocation } from '../geo/location-text';
import type { SignInOrigin } from '../risk/access-decision';
import type { ServerContext } from '../server-context';
import type { NoticeMessage } from '../delivery/types';
import type { Practice } from '../practices/practice-repository';
import type { User } from '../users/user-repository';

export interface SecurityNotice {
  kind: NoticeMessage['kind'];
  user: User;
  practice: Practice;
  workstationName: string | null;
  origin: SignInOrigin;
  occurredAt: number;
}

/**
 * Emails security notices in the background. Call it after the sign-in transaction has committed:
 * it returns at once, so a slow or failing mail relay never delays the reply, and a failure is
 * logged at warn because the sign-in itself succeeded.
 */
export function sendSecurityNotices(context: ServerContext, notices: readonly SecurityNotice[]): void {
  const deliverNotice = context.deliverers.email.deliverNotice?.bind(context.deliverers.email);
  for (const notice of notices) {
    const facts = { kind: notice.kind, userId: notice.user.id };
    if (notice.user.email === null) {
      context.logger.info(facts, 'security notice skipped, the user has no email address');
      continue;
    }
    if (deliverNotice === undefined) {
      context.logger.warn(facts, 'security notice skipped, the email deliverer cannot send notices');
      continue;
    }
    const message: NoticeMessage = {
      kind: notice.kind,
      to: notice.user.email,
      displayName: notice.user.displayName,
      practiceName: notice.practice.name,
      workstationName: notice.workstationName ?? 'an unnamed workstation',
      location: describeLocation(notice.origin.location),
      occurredAt: toIsoTime(notice.occurredAt),
    };
    void Promise.resolve()
      .then(() => deliverNotice(message))
      .catch((error: unknown) => {
        const detail = error instanceof Error ? error.name : typeof error;
        context.logger.warn({ ...facts, errorName: detail }, 'security notice delivery failed');
      });
  }
}
