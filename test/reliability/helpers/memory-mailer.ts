import type { MailMessage, Mailer, SendResult } from '../../../src/delivery/mailer.js';
import { MailError } from '../../../src/delivery/mailer.js';

/**
 * A Mailer (the project's own interface) that keeps what it sends in memory: for tests that
 * push thousands of reports, where the SMTP conversation is not what is being tested.
 * `rejectNext(n)` makes the next n sends fail as a 550 would (permanent).
 */
export interface MemoryMailer extends Mailer {
  readonly sent: MailMessage[];
  rejectNext(count: number): void;
}

export function createMemoryMailer(): MemoryMailer {
  const sent: MailMessage[] = [];
  let rejecting = 0;
  return {
    description: 'memory',
    sent,
    rejectNext(count) {
      rejecting += count;
    },
    send(message): Promise<SendResult> {
      if (rejecting > 0) {
        rejecting -= 1;
        return Promise.reject(new MailError('smtp_rejected', 'The server refused the message (550 mailbox unavailable)', { retryable: false, smtpCode: 550 }));
      }
      sent.push(message);
      return Promise.resolve({ messageId: message.messageId, accepted: [...message.to], rejected: [], response: '250 OK', outboxPath: null });
    },
    verify: () => Promise.resolve(),
    close: () => undefined,
  };
}
