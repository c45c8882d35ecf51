import { maskDestination } from '../../server/src/delivery/mask-destination';
import { DeliveryError, type CodeDeliverer, type CodeMessage, type DeliveryReceipt } from '../../server/src/delivery/types';

export type CapturingBehavior = 'deliver' | 'fail' | 'hang';

/**
 * A deliverer for server tests that records every message instead of sending it. `setBehavior`
 * makes later calls fail with a `DeliveryError` or never settle, to exercise the failure paths.
 */
export class CapturingDeliverer implements CodeDeliverer {
  readonly messages: CodeMessage[] = [];
  private behavior: CapturingBehavior = 'deliver';

  setBehavior(behavior: CapturingBehavior): void {
    this.behavior = behavior;
  }

  async deliver(message: CodeMessage): Promise<DeliveryReceipt> {
    if (this.behavior === 'fail') {
      throw new DeliveryError(message.channel, 'rejected', 'the test deliverer was told to fail');
    }
    if (this.behavior === 'hang') {
      return new Promise<never>(() => undefined);
    }
    this.messages.push(message);
    return {
      channel: message.channel,
      maskedDestination: maskDestination(message.channel, message.to),
      transport: 'outbox',
      reference: `capture-${this.messages.length}`,
    };
  }

  lastCode(): string {
    const last = this.messages.at(-1);
    if (last === undefined) {
      throw new Error('no message was delivered');
    }
    return last.code;
  }
}
