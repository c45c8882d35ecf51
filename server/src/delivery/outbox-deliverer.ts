import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { OtpChannel } from '../../../electron/shared/api';
import { formatCodeEmail, formatCodeSms } from './code-message-text';
import { formatNoticeEmail, formatNoticeSms } from './notice-message-text';
import { maskDestination } from './mask-destination';
import { DeliveryError } from './types';
import type { CodeDeliverer, CodeMessage, DeliveryReceipt, NoticeMessage } from './types';

const folderMode = 0o700;
const fileMode = 0o600;
const smsOutboxSender = 'ClinicGate outbox (no SMS provider configured)';

export interface OutboxOptions {
  outboxDir: string;
  /** From address written into outbox emails. */
  emailFrom: string;
}

/**
 * Creates a deliverer that writes each message to a file instead of sending it, for
 * installations without an SMTP relay or SMS provider. Emails become RFC 5322 `.eml` files
 * under `<outboxDir>/email`, which a mail client opens, and texts become `.txt` files under
 * `<outboxDir>/sms`. Files are readable by the server's user only.
 */
export function createOutboxDeliverer(channel: OtpChannel, options: OutboxOptions): CodeDeliverer {
  const channelDir = path.resolve(options.outboxDir, channel);
  const composeEmailFile = createEmailFileComposer(options.emailFrom);
  const composeFile =
    channel === 'email'
      ? (message: CodeMessage) => composeEmailFile(message.to, formatCodeEmail(message))
      : async (message: CodeMessage) => composeSmsFile(message.to, formatCodeSms(message));
  const composeNoticeFile =
    channel === 'email'
      ? (message: NoticeMessage) => composeEmailFile(message.to, formatNoticeEmail(message))
      : async (message: NoticeMessage) => composeSmsFile(message.to, formatNoticeSms(message));
  const extension = channel === 'email' ? 'eml' : 'txt';

  const writeMessage = async (to: string, content: Buffer): Promise<DeliveryReceipt> => {
    const filePath = path.join(channelDir, `${formatFileTimestamp(new Date())}-${randomBytes(6).toString('hex')}.${extension}`);
    try {
      await ensurePrivateFolder(channelDir);
      await writeFileAtomically(filePath, content);
    } catch (error) {
      const errorCode = (error as NodeJS.ErrnoException).code ?? 'unknown error';
      throw new DeliveryError(
        channel,
        'misconfigured',
        `Could not write the message to the outbox folder ${channelDir} (${errorCode}). Check that the server may write there.`,
      );
    }

    return { channel, maskedDestination: maskDestination(channel, to), transport: 'outbox', reference: filePath };
  };

  return {
    deliver: async (message: CodeMessage) => writeMessage(message.to, await composeFile(message)),
    deliverNotice: async (message: NoticeMessage) => writeMessage(message.to, await composeNoticeFile(message)),
  };
}

function createEmailFileComposer(emailFrom: string): (to: string, email: { subject: string; text: string }) => Promise<Buffer> {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });

  return async (to, { subject, text }) => {
    const info = await composer.sendMail({
      from: emailFrom,
      to,
      subject,
      text,
      date: new Date(),
      headers: { 'Auto-Submitted': 'auto-generated' },
      disableFileAccess: true,
      disableUrlAccess: true,
    });
    return info.message as Buffer;
  };
}

function composeSmsFile(to: string, body: string): Buffer {
  const lines = [
    `To: ${to.replace(/\p{C}/gu, '')}`,
    `From: ${smsOutboxSender}`,
    `Date: ${new Date().toISOString()}`,
    `Body: ${body}`,
    '',
  ];
  return Buffer.from(lines.join('\n'), 'utf8');
}

async function ensurePrivateFolder(folder: string): Promise<void> {
  await mkdir(folder, { recursive: true, mode: folderMode });
  // mkdir leaves the mode of a folder that already exists unchanged.
  await chmod(folder, folderMode);
}

// The content is written to a temporary name in the same folder, flushed to disk and then
// renamed into place, so a reader polling the folder never opens a half-written file.
async function writeFileAtomically(filePath: string, content: Buffer): Promise<void> {
  const temporaryPath = path.join(path.dirname(filePath), `.${path.basename(filePath)}.tmp`);
  const file = await open(temporaryPath, 'wx', fileMode);
  try {
    await file.writeFile(content);
    await file.sync();
  } catch (error) {
    await file.close();
    await rm(temporaryPath, { force: true });
    throw error;
  }
  await file.close();

  try {
    await rename(temporaryPath, filePath);
  } catch (error) {
    await rm(temporaryPath, { force: true });
    throw error;
  }
}

// ISO 8601 basic format (20260105T142233123Z): sortable, and free of the colons that
// Windows does not allow in file names.
function formatFileTimestamp(date: Date): string {
  return date.toISOString().replace(/[-:.]/g, '');
}
