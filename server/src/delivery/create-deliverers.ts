import type { Logger } from 'pino';
import type { OtpChannel } from '../../../electron/shared/api';
import { createEmailDeliverer } from './email-deliverer';
import { maskDestination } from './mask-destination';
import { createOutboxDeliverer } from './outbox-deliverer';
import { createSmsDeliverer } from './sms-deliverer';
import { DeliveryError } from './types';
import type { CodeDeliverer, CodeMessage, DeliveryReceipt, DeliverySettings, NoticeMessage } from './types';

/**
 * Creates the email and SMS deliverers from the delivery settings. A channel without an
 * SMTP relay or SMS provider writes to the outbox folder instead. Every delivery is logged
 * with the channel, the masked destination and the transport. The code, the full
 * destination and the message text stay out of the log.
 * Throws a `misconfigured` DeliveryError for settings that cannot work (see each deliverer).
 */
export function createDeliverers(settings: DeliverySettings, logger: Logger): Deliverers {
  const deliveryLogger = logger.child({ module: 'delivery' });
  const outboxOptions = { outboxDir: settings.outboxDir, emailFrom: settings.emailFrom };

  const email = settings.smtp === null ? createOutboxDeliverer('email', outboxOptions) : createEmailDeliverer(settings.smtp, settings.emailFrom);
  const sms = settings.sms === null ? createOutboxDeliverer('sms', outboxOptions) : createSmsDeliverer(settings.sms);

  if (settings.smtp === null) {
    deliveryLogger.info({ channel: 'email', outboxDir: settings.outboxDir }, 'smtp not configured, email codes go to the outbox');
  }
  if (settings.sms === null) {
    deliveryLogger.info({ channel: 'sms', outboxDir: settings.outboxDir }, 'sms provider not configured, sms codes go to the outbox');
  }

  return {
    email: addDeliveryLogging('email', email, deliveryLogger),
    sms: addDeliveryLogging('sms', sms, deliveryLogger),
  };
}

function addDeliveryLogging(channel: OtpChannel, deliverer: CodeDeliverer, logger: Logger): CodeDeliverer {
  const logged: CodeDeliverer = {
    async deliver(message: CodeMessage): Promise<DeliveryReceipt> {
      if (message.channel !== channel) {
        throw new Error(`The ${channel} deliverer received a message for the ${message.channel} channel.`);
      }

      const destination = maskDestination(channel, message.to);
      let receipt: DeliveryReceipt;
      try {
        receipt = await deliverer.deliver(message);
      } catch (error) {
        if (error instanceof DeliveryError) {
          logger.warn({ channel, destination, reason: error.reason, detail: error.message }, 'code delivery failed');
        } else {
          // An unexpected error's message may quote the destination, so only its type is logged.
          const errorName = error instanceof Error ? error.name : typeof error;
          logger.error({ channel, destination, errorName }, 'code delivery failed unexpectedly');
        }
        throw error;
      }

      const facts = { channel, destination, transport: receipt.transport, reference: receipt.reference };
      if (receipt.transport === 'outbox') {
        logger.info(facts, 'code written to outbox');
      } else {
        logger.info(facts, 'code delivered');
      }
      return receipt;
    },
  };
  const deliverNotice = deliverer.deliverNotice?.bind(deliverer);
  if (deliverNotice !== undefined) {
    logged.deliverNotice = async (message: NoticeMessage): Promise<DeliveryReceipt> => {
      const destination = maskDestination(channel, message.to);
      // Callers log the failure; the notice is never retried, so one warning per notice is enough.
      const receipt = await deliverNotice(message);
      const facts = { channel, destination, kind: message.kind, transport: receipt.transport, reference: receipt.reference };
      logger.info(facts, receipt.transport === 'outbox' ? 'notice written to outbox' : 'notice delivered');
      return receipt;
    };
  }
  return logged;
}

export interface Deliverers {
  email: CodeDeliverer;
  sms: CodeDeliverer;
}
