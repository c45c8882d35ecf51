import type { OtpChannel } from '../../electron/shared/api';
import { maskDestination } from '../../server/src/delivery/mask-destination';
import { DeliveryError, type CodeDeliverer, type CodeMessage, type DeliveryReceipt, type NoticeMessage } from '../../server/src/delivery/types';

export type CapturingBehavior = 'deliver' | 'fail' | 'hang';

/**
 * A deliverer for server tests that records every message instead of sending it. `setBehavior`
 * makes later calls fail with a `DeliveryError` or never settle, to exercise the failure paths.
 */
export class CapturingDeliverer implements CodeDeliverer {
  readonly messages: CodeMessage[] = [];
  readonly notices: NoticeMessage[] = [];
  private behavior: CapturingBehavior = 'deliver';
  private noticeBehavior: CapturingBehavior = 'deliver';
  private readonly noticeWaiters: Array<() => void> = [];

  /** `channel` is the channel this deliverer replaces in a test; notice receipts and errors name it. */
  constructor(private readonly channel: OtpChannel = 'email') {}

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

  /** Makes later security notices fail or never settle, independently of code messages. */
  setNoticeBehavior(behavior: CapturingBehavior): void {
    this.noticeBehavior = behavior;
  }

  async deliverNotice(message: NoticeMessage): Promise<DeliveryReceipt> {
    if (this.noticeBehavior === 'fail') {
      throw new DeliveryError(this.channel, 'rejected', 'the test deliverer was told to fail');
    }
    if (this.noticeBehavior === 'hang') {
      return new Promise<never>(() => undefined);
    }
    this.notices.push(message);
    this.noticeWaiters.splice(0).forEach((wake) => wake());
    return {
      channel: this.channel,
      maskedDestination: maskDestination(this.channel, message.to),
      transport: 'outbox',
      reference: `notice-${this.notices.length}`,
    };
  }

  /** Resolves once at least `count` notices have arrived; notices are sent after the reply, so tests wait. */
  async waitForNotices(count: number, timeoutMs = 2_000): Promise<NoticeMessage[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.notices.length < count) {
      if (Date.now() > deadline) {
        throw new Error(`expected ${count} notices, received ${this.notices.length}`);
      }
      await new Promise<void>((resolve) => {
        this.noticeWaiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
    return this.notices;
  }

  lastCode(): string {
    const last = this.messages.at(-1);
    if (last === undefined) {
      throw new Error('no message was delivered');
    }
    return last.code;
  }
}
