import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import { ReceivedMessageLog } from './received-message-log';

/**
 * Starts a real SMTP server on 127.0.0.1 that accepts every message (and any credentials,
 * or none) and keeps it parsed in memory. With `tls`, the server offers STARTTLS with that
 * key and certificate; without it, STARTTLS is not offered.
 */
export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  let failureMode: SmtpSinkFailureMode = 'none';
  const log = new ReceivedMessageLog<ReceivedEmail>('SMTP sink', (message, address) =>
    message.to.some((recipient) => recipient.toLowerCase() === address.toLowerCase()),
  );

  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    // The sink listens on loopback only, so plain-text AUTH exposes nothing.
    allowInsecureAuth: true,
    disabledCommands: options.tls === undefined ? ['STARTTLS'] : [],
    ...(options.tls === undefined ? {} : { key: options.tls.key, cert: options.tls.cert }),
    closeTimeout: 200,
    onConnect(_session, callback) {
      // In hang mode the greeting is never sent, so the client waits until its own timeout.
      if (failureMode !== 'hang') {
        callback();
      }
    },
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username ?? 'anonymous' });
    },
    onRcptTo(_address, _session, callback) {
      if (failureMode === 'reject') {
        callback(createReply(550, 'Mailbox unavailable'));
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      receiveMessage(stream, session, () => failureMode).then(
        (message) => {
          if (message === null) {
            callback(createReply(550, 'Message rejected'));
            return;
          }
          log.add(message);
          callback();
        },
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.server.address() as AddressInfo;
  // smtp-server reports a client's dropped connection as an 'error' event. With no listener that
  // event would crash the test run, although a dropped client is not a failure of the sink.
  server.on('error', () => {});

  return {
    port,
    messages: log.messages,
    waitForMessage: (to, timeoutMs = 10_000) => log.waitForMessage(to, timeoutMs),
    setFailure(mode) {
      failureMode = mode;
    },
    close() {
      log.rejectPendingWaits();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// Returns null when the sink is set to reject, after reading the whole message so that
// the client gets the 550 reply to DATA rather than a broken connection.
async function receiveMessage(
  stream: SMTPServerDataStream,
  session: SMTPServerSession,
  readFailureMode: () => SmtpSinkFailureMode,
): Promise<ReceivedEmail | null> {
  const parsed = await simpleParser(stream);
  if (readFailureMode() === 'reject') {
    return null;
  }

  const envelopeSender = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
  return {
    to: session.envelope.rcptTo.map((recipient) => recipient.address),
    from: parsed.from?.value[0]?.address ?? envelopeSender,
    subject: parsed.subject ?? '',
    text: parsed.text ?? '',
  };
}

function createReply(responseCode: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode });
}

export interface SmtpSinkOptions {
  /** PEM key and certificate for STARTTLS, for example from `createTestCertificateAuthority().issue(...)`. */
  tls?: { key: string; cert: string };
}

/** `reject`: 550 to RCPT TO and DATA. `hang`: no greeting, so the client waits until it times out. */
export type SmtpSinkFailureMode = 'none' | 'reject' | 'hang';

export interface SmtpSink {
  port: number;
  /** Every accepted message, in arrival order. */
  messages: ReceivedEmail[];
  /** Resolves with the first message to `to` that no earlier call has returned, waiting for one if needed. */
  waitForMessage(to: string, timeoutMs?: number): Promise<ReceivedEmail>;
  setFailure(mode: SmtpSinkFailureMode): void;
  close(): Promise<void>;
}

export interface ReceivedEmail {
  /** Envelope recipients (RCPT TO). */
  to: string[];
  from: string;
  subject: string;
  text: string;
}
