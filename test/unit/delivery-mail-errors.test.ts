import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { MailError, scrubSecrets, toMailError } from '../../src/delivery/mail-errors.js';
import { describeSmtpUrl } from '../../src/delivery/mail-transport.js';
import { AppError } from '../../src/errors.js';

const SERVER = 'smtp://mail.example.com:587';

/** Errors shaped the way nodemailer hands them over. */
function nodemailerError(fields: { message?: string } & Record<string, unknown>): Error {
  return Object.assign(new Error(fields.message ?? 'failed'), fields);
}

void describe('mail error classification', () => {
  const cases: Array<{ name: string; error: Error; code: string; permanent: boolean; smtpCode?: number }> = [
    {
      name: '421 service unavailable',
      error: nodemailerError({ code: 'EENVELOPE', responseCode: 421, response: '421 Try later' }),
      code: 'smtp_transient',
      permanent: false,
      smtpCode: 421,
    },
    {
      name: '451 greylisting',
      error: nodemailerError({ code: 'EMESSAGE', responseCode: 451, response: '451 4.7.1 Greylisted' }),
      code: 'smtp_transient',
      permanent: false,
      smtpCode: 451,
    },
    {
      name: '550 no such user',
      error: nodemailerError({ code: 'EENVELOPE', responseCode: 550, response: '550 5.1.1 No such user' }),
      code: 'smtp_rejected',
      permanent: true,
      smtpCode: 550,
    },
    {
      name: '552 message too big',
      error: nodemailerError({ code: 'EMESSAGE', responseCode: 552, response: '552 Too big' }),
      code: 'smtp_rejected',
      permanent: true,
      smtpCode: 552,
    },
    {
      name: '503 bad sequence (a session problem)',
      error: nodemailerError({ code: 'EPROTOCOL', responseCode: 503, response: '503 Bad sequence' }),
      code: 'smtp_transient',
      permanent: false,
      smtpCode: 503,
    },
    {
      name: 'EAUTH 535',
      error: nodemailerError({ code: 'EAUTH', responseCode: 535, response: '535 Authentication failed' }),
      code: 'smtp_auth_failed',
      permanent: true,
      smtpCode: 535,
    },
    {
      name: 'ENOAUTH (no credentials)',
      error: nodemailerError({ code: 'ENOAUTH', message: 'Missing credentials for "PLAIN"' }),
      code: 'smtp_auth_failed',
      permanent: true,
    },
    {
      name: 'ECONNECTION',
      error: nodemailerError({ code: 'ECONNECTION', message: 'Connection closed unexpectedly' }),
      code: 'smtp_transient',
      permanent: false,
    },
    { name: 'ETIMEDOUT', error: nodemailerError({ code: 'ETIMEDOUT', message: 'Greeting never received' }), code: 'smtp_transient', permanent: false },
    {
      name: 'ESOCKET wrapping ECONNREFUSED',
      error: nodemailerError({ code: 'ESOCKET', originalCode: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }),
      code: 'smtp_transient',
      permanent: false,
    },
    { name: 'plain ECONNREFUSED', error: nodemailerError({ code: 'ECONNREFUSED' }), code: 'smtp_transient', permanent: false },
    { name: 'EDNS', error: nodemailerError({ code: 'EDNS', message: 'getaddrinfo ENOTFOUND' }), code: 'smtp_transient', permanent: false },
    {
      name: 'EENVELOPE without a reply (bad address)',
      error: nodemailerError({ code: 'EENVELOPE', message: 'No recipients defined' }),
      code: 'mail_invalid',
      permanent: true,
    },
    {
      name: 'a sandbox refusal wrapped in ESTREAM',
      error: nodemailerError({ code: 'ESTREAM', originalCode: 'EFILEACCESS', message: 'File access rejected' }),
      code: 'mail_invalid',
      permanent: true,
    },
    { name: 'an unknown error', error: new Error('something odd'), code: 'smtp_transient', permanent: false },
  ];

  for (const { name, error, code, permanent, smtpCode } of cases) {
    void test(`${name} → ${code}${permanent ? ' (permanent)' : ' (retry)'}`, () => {
      const mailError = toMailError(error, SERVER);
      assert.ok(mailError instanceof MailError);
      assert.ok(mailError instanceof AppError);
      assert.equal(mailError.code, code);
      assert.equal(mailError.retryable, !permanent);
      assert.equal(mailError.smtpCode, smtpCode);
      if (code !== 'mail_invalid') assert.ok(mailError.message.includes(SERVER), 'names the server (host:port only)');
    });
  }

  void test('the message quotes the server answer and the command it answered', () => {
    const error = toMailError(
      nodemailerError({ code: 'EENVELOPE', responseCode: 550, response: '550 5.1.1 <x@example.com>: no such user', command: 'RCPT TO' }),
      SERVER,
    );
    assert.equal(error.message, `SMTP server ${SERVER} rejected the message to RCPT TO: 550 5.1.1 <x@example.com>: no such user`);
  });

  void test('secrets are scrubbed from the message and details', () => {
    const error = toMailError(
      nodemailerError({ code: 'EAUTH', responseCode: 535, response: '535 bad password hunter22', command: 'AUTH PLAIN hunter22' }),
      SERVER,
      ['hunter22'],
    );
    assert.ok(!error.message.includes('hunter22'));
    assert.ok(!JSON.stringify(error.details).includes('hunter22'));
    assert.equal(scrubSecrets('a hunter22 b', ['hunter22']), 'a [redacted] b');
  });

  void test('a MailError passes through unchanged', () => {
    const original = new MailError('mail_invalid', 'x', { retryable: false });
    assert.equal(toMailError(original, SERVER), original);
  });

  void test('the SMTP description keeps host and port and drops the credentials', () => {
    assert.deepEqual(describeSmtpUrl('smtp://user:p%40ss@mail.example.com:2525'), {
      description: 'smtp://mail.example.com:2525',
      secrets: ['p%40ss', 'p@ss'],
    });
    assert.equal(describeSmtpUrl('smtps://mail.example.com').description, 'smtps://mail.example.com:465');
    assert.equal(describeSmtpUrl('smtp://mail.example.com').description, 'smtp://mail.example.com:587');
  });
});
