/**
 * Messages received by a test sink, in arrival order, with a wait for the next message to
 * an address. Each message is handed to at most one `waitForMessage` call, so two waits
 * for the same address return two different messages.
 */
export class ReceivedMessageLog<Message> {
  readonly messages: Message[] = [];
  private readonly takenMessages = new Set<Message>();
  private readonly waiters: Waiter<Message>[] = [];

  constructor(
    private readonly sinkName: string,
    private readonly isAddressedTo: (message: Message, address: string) => boolean,
  ) {}

  add(message: Message): void {
    this.messages.push(message);
    const waiter = this.waiters.find((candidate) => this.isAddressedTo(message, candidate.address));
    if (waiter === undefined) {
      return;
    }

    this.removeWaiter(waiter);
    this.takenMessages.add(message);
    waiter.resolve(message);
  }

  waitForMessage(address: string, timeoutMs: number): Promise<Message> {
    const waiting = this.messages.find((message) => !this.takenMessages.has(message) && this.isAddressedTo(message, address));
    if (waiting !== undefined) {
      this.takenMessages.add(waiting);
      return Promise.resolve(waiting);
    }

    return new Promise<Message>((resolve, reject) => {
      const waiter: Waiter<Message> = {
        address,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.removeWaiter(waiter);
          reject(new Error(`The ${this.sinkName} received no message to ${address} within ${timeoutMs} ms.`));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** Rejects every pending wait, for a sink that is closing. */
  rejectPendingWaits(): void {
    for (const waiter of [...this.waiters]) {
      this.removeWaiter(waiter);
      waiter.reject(new Error(`The ${this.sinkName} closed before a message to ${waiter.address} arrived.`));
    }
  }

  private removeWaiter(waiter: Waiter<Message>): void {
    clearTimeout(waiter.timer);
    const index = this.waiters.indexOf(waiter);
    if (index !== -1) {
      this.waiters.splice(index, 1);
    }
  }
}

interface Waiter<Message> {
  address: string;
  resolve: (message: Message) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}
