import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { simpleParser } from 'mailparser';
import { createMailer, MailError, type MailMessage, type Mailer } from '../../src/delivery/mailer.js';
import { createEmlTransport, createSmtpTransport } from '../../src/delivery/mail-transport.js';
import { selfSignedCertificate, startTestSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';
import { captureLogger } from '../helpers/logger.js';

const TIMEOUT_MS = 5_000;

/** Nodemailer reports a sandbox refusal directly or wrapped in ESTREAM with the refusal as originalCode. */
const sandboxRefusal = (error: unknown): boolean => {
  const { code, originalCode } = error as { code?: string; originalCode?: string };
  return [code, originalCode].some((value) => value === 'EFILEACCESS' || value === 'EURLACCESS');
};

function listen(server: Server | ReturnType<typeof createHttpServer>): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : 0);
    });
  });
}

function closeServer(server: Server | ReturnType<typeof createHttpServer>): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

void describe('mailer', () => {
  let workDir: string;
  let csvPath: string;
  let gzPath: string;
  let csvContent: Buffer;
  let gzContent: Buffer;
  let smtp: TestSmtpServer;

  before(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'delivery-mailer-'));
    // Lines starting with "." exercise SMTP dot-stuffing; CRLF and UTF-8 must survive byte for byte.
    csvContent = Buffer.from(
      ['resourceId,resourceName,payloadBillableCount', 'a1,Zürich AG,12', '.hidden,.dot,3', 'b2,"=HYPERLINK(""http://x"")",5', ''].join('\r\n'),
    );
    gzContent = gzipSync(Buffer.from('resourceId,deviceCount\n'.concat('x,1\n'.repeat(20_000))));
    csvPath = join(workDir, 'report.csv');
    gzPath = join(workDir, 'report.csv.gz');
    await writeFile(csvPath, csvContent);
    await writeFile(gzPath, gzContent);
    smtp = await startTestSmtpServer();
  });

  after(async () => {
    await smtp.close();
    await rm(workDir, { recursive: true, force: true });
  });

  function message(overrides: Partial<MailMessage> = {}): MailMessage {
    return {
      from: 'report-relay <report-relay@example.com>',
      to: ['ops@example.com', 'billing@example.com'],
      subject: 'Losant usage report 2026-10-01 to 2026-10-31',
      html: '<p>Hello <strong>ops</strong> ▲ 2.9%</p>',
      text: 'Hello ops ▲ 2.9%',
      messageId: '<report-rep_1@report-relay>',
      attachments: [],
      ...overrides,
    };
  }

  async function sendAndExpectFailure(mailer: Mailer, msg: MailMessage = message()): Promise<MailError> {
    try {
      await mailer.send(msg);
    } catch (error) {
      assert.ok(error instanceof MailError, `expected a MailError, got ${String(error)}`);
      return error;
    } finally {
      mailer.close();
    }
    assert.fail('send should have failed');
  }

  void test('a message arrives with subject, html, text, both attachments byte for byte and its Message-ID', async () => {
    const mailer = createMailer({ requireTls: false, smtpUrl: smtp.url, outboxDir: join(workDir, 'unused'), timeoutMs: TIMEOUT_MS });
    const before = smtp.messages.length;
    try {
      const result = await mailer.send(
        message({
          attachments: [
            { filename: 'report.csv', path: csvPath, contentType: 'text/csv' },
            { filename: 'report.csv.gz', path: gzPath, contentType: 'application/gzip' },
          ],
          headers: { 'X-Report-Id': 'rep_1' },
        }),
      );
      assert.equal(result.messageId, '<report-rep_1@report-relay>');
      assert.deepEqual(result.accepted.sort(), ['billing@example.com', 'ops@example.com']);
      assert.deepEqual(result.rejected, []);
      assert.equal(result.outboxPath, null);
      assert.match(result.response, /^250 /u);
    } finally {
      mailer.close();
    }

    const received = (await smtp.waitForMessages(before + 1))[before]!;
    assert.equal(received.parsed.subject, 'Losant usage report 2026-10-01 to 2026-10-31');
    assert.equal(received.parsed.messageId, '<report-rep_1@report-relay>');
    assert.equal(received.parsed.html, '<p>Hello <strong>ops</strong> ▲ 2.9%</p>');
    assert.equal(received.parsed.text?.trim(), 'Hello ops ▲ 2.9%');
    assert.equal(received.parsed.headers.get('x-report-id'), 'rep_1');
    assert.deepEqual(received.envelope.to.sort(), ['billing@example.com', 'ops@example.com']);
    assert.equal(received.envelope.from, 'report-relay@example.com');
    const [csv, gz] = received.parsed.attachments;
    assert.equal(csv?.filename, 'report.csv');
    assert.equal(csv?.contentType, 'text/csv');
    assert.ok(csv?.content.equals(csvContent), 'the CSV attachment matches the file byte for byte');
    assert.equal(gz?.filename, 'report.csv.gz');
    assert.equal(gz?.contentType, 'application/gzip');
    assert.ok(gz?.content.equals(gzContent), 'the gzip attachment matches the file byte for byte');
  });

  void test('on smtp:// TLS is required by default: a server that does not offer STARTTLS gets neither the login nor the message', async () => {
    const plain = await startTestSmtpServer({ auth: { user: 'relay', pass: 'right-password' } });
    try {
      const mailer = createMailer({ smtpUrl: plain.url, outboxDir: workDir, timeoutMs: TIMEOUT_MS });
      const error = await sendAndExpectFailure(mailer);
      assert.match(error.message, /STARTTLS|TLS/u);
      assert.equal(plain.attempts, 0);
      // Options in the URL's query cannot turn it off either.
      const lowered = createMailer({ smtpUrl: `${plain.url}?requireTLS=false&ignoreTLS=true`, outboxDir: workDir, timeoutMs: TIMEOUT_MS });
      assert.match((await sendAndExpectFailure(lowered)).message, /STARTTLS|TLS/u);
      assert.equal(plain.messages.length, 0);
    } finally {
      await plain.close();
    }
  });

  void test('on smtp:// STARTTLS is used when the server offers it: login and message go over TLS', async () => {
    const certificate = selfSignedCertificate();
    const tlsServer = await startTestSmtpServer({ starttls: certificate, auth: { user: 'relay', pass: 'right-password' } });
    try {
      const mailer = createMailer({ smtpUrl: tlsServer.url, outboxDir: workDir, timeoutMs: TIMEOUT_MS, tls: { ca: certificate.cert } });
      try {
        await mailer.send(message());
      } finally {
        mailer.close();
      }
      const [received] = await tlsServer.waitForMessages(1);
      assert.equal(received?.secure, true);
      assert.equal(received?.parsed.subject, 'Losant usage report 2026-10-01 to 2026-10-31');
    } finally {
      await tlsServer.close();
    }
  });

  void test('a 4xx reply is a transient MailError that says what the server answered', async () => {
    smtp.failNext({ type: 'reply', code: 451, message: 'Greylisted, try again later' });
    const error = await sendAndExpectFailure(createMailer({ requireTls: false, smtpUrl: smtp.url, outboxDir: workDir, timeoutMs: TIMEOUT_MS }));

    assert.equal(error.code, 'smtp_transient');
    assert.equal(error.retryable, true);
    assert.equal(error.smtpCode, 451);
    assert.match(error.message, /451 Greylisted, try again later/u);
  });

  void test('a 5xx reply is a permanent MailError', async () => {
    smtp.failNext({ type: 'reply', code: 554, message: 'Message rejected as spam' });
    const error = await sendAndExpectFailure(createMailer({ requireTls: false, smtpUrl: smtp.url, outboxDir: workDir, timeoutMs: TIMEOUT_MS }));

    assert.equal(error.code, 'smtp_rejected');
    assert.equal(error.retryable, false);
    assert.equal(error.smtpCode, 554);
    assert.match(error.message, /554 Message rejected as spam/u);
  });

  void test('a connection dropped in the middle of DATA is transient, and the next send goes through', async () => {
    const before = smtp.messages.length;
    smtp.failNext({ type: 'drop' });
    const error = await sendAndExpectFailure(
      createMailer({ requireTls: false, smtpUrl: smtp.url, outboxDir: workDir, timeoutMs: TIMEOUT_MS }),
      message({ attachments: [{ filename: 'report.csv.gz', path: gzPath, contentType: 'application/gzip' }] }),
    );
    assert.equal(error.code, 'smtp_transient');
    assert.equal(error.retryable, true);
    assert.equal(smtp.messages.length, before, 'nothing was delivered');

    const mailer = createMailer({ requireTls: false, smtpUrl: smtp.url, outboxDir: workDir, timeoutMs: TIMEOUT_MS });
    try {
      await mailer.send(message({ messageId: '<report-rep_retry@report-relay>' }));
    } finally {
      mailer.close();
    }
    assert.equal(smtp.messages.at(-1)?.parsed.messageId, '<report-rep_retry@report-relay>');
  });

  void test('a refused connection (closed port) is transient', async () => {
    const probe = createNetServer();
    const port = await listen(probe);
    await closeServer(probe);

    const error = await sendAndExpectFailure(
      createMailer({ requireTls: false, smtpUrl: `smtp://127.0.0.1:${port}`, outboxDir: workDir, timeoutMs: TIMEOUT_MS }),
    );
    assert.equal(error.code, 'smtp_transient');
    assert.equal(error.retryable, true);
    assert.equal(error.smtpCode, undefined);
    assert.match(error.message, /ECONNREFUSED/u);
  });

  void test('a server that never greets times out as transient within timeoutMs', async () => {
    const sockets = new Set<Socket>();
    const silent = createNetServer((socket) => sockets.add(socket));
    const port = await listen(silent);
    const started = Date.now();
    try {
      const error = await sendAndExpectFailure(createMailer({ requireTls: false, smtpUrl: `smtp://127.0.0.1:${port}`, outboxDir: workDir, timeoutMs: 1_000 }));
      assert.equal(error.code, 'smtp_transient');
      assert.equal(error.retryable, true);
      assert.match(error.message, /greeting|timeout|ETIMEDOUT/iu, 'the greeting timeout ended the attempt');
      // Without the 1 s greeting timeout the attempt would hang; the margin covers a busy machine.
      assert.ok(Date.now() - started < 1_000 + 5_000, 'the greeting timeout applied');
    } finally {
      for (const socket of sockets) socket.destroy();
      await closeServer(silent);
    }
  });

  void test('a refused login is a permanent auth failure whose message and description hold no password', async () => {
    const secured = await startTestSmtpServer({ auth: { user: 'relay', pass: 'right-password' } });
    try {
      const badUrl = `smtp://relay:Wr0ng%2Fp%40ss@127.0.0.1:${secured.port}`;
      const logs = captureLogger();
      const mailer = createMailer({ requireTls: false, smtpUrl: badUrl, outboxDir: workDir, timeoutMs: TIMEOUT_MS, logger: logs.logger });
      assert.equal(mailer.description, `smtp://127.0.0.1:${secured.port}`);
      const error = await sendAndExpectFailure(mailer);
      assert.match(logs.text(), /email not sent/u);
      assert.ok(!logs.text().includes('Wr0ng'), 'the password is never logged');

      assert.equal(error.code, 'smtp_auth_failed');
      assert.equal(error.retryable, false);
      assert.equal(error.smtpCode, 535);
      const visible = `${error.message} ${JSON.stringify(error.details)} ${mailer.description}`;
      assert.ok(!visible.includes('Wr0ng') && !visible.includes('p@ss'), visible);

      const good = createMailer({ requireTls: false, smtpUrl: secured.url, outboxDir: workDir, timeoutMs: TIMEOUT_MS });
      try {
        await good.verify();
        await good.send(message());
      } finally {
        good.close();
      }
      assert.equal(secured.messages.length, 1);
    } finally {
      await secured.close();
    }
  });

  void test('one rejected recipient is reported; all rejected is a permanent failure', async () => {
    const picky = await startTestSmtpServer({ rejectRecipients: ['nobody@example.com', 'ghost@example.com'] });
    try {
      const mailer = createMailer({ requireTls: false, smtpUrl: picky.url, outboxDir: workDir, timeoutMs: TIMEOUT_MS });
      try {
        const result = await mailer.send(message({ to: ['ops@example.com', 'nobody@example.com'] }));
        assert.deepEqual(result.accepted, ['ops@example.com']);
        assert.deepEqual(result.rejected, ['nobody@example.com']);
      } finally {
        mailer.close();
      }

      const error = await sendAndExpectFailure(
        createMailer({ requireTls: false, smtpUrl: picky.url, outboxDir: workDir, timeoutMs: TIMEOUT_MS }),
        message({ to: ['nobody@example.com', 'ghost@example.com'] }),
      );
      assert.equal(error.retryable, false);
      assert.equal(error.smtpCode, 550);
    } finally {
      await picky.close();
    }
  });

  void test('verify succeeds against a live server and fails transiently when it is gone', async () => {
    const shortLived = await startTestSmtpServer();
    const mailer = createMailer({ requireTls: false, smtpUrl: shortLived.url, outboxDir: workDir, timeoutMs: TIMEOUT_MS });
    await mailer.verify();
    await shortLived.close();
    await assert.rejects(mailer.verify(), (error: unknown) => error instanceof MailError && error.retryable);
    mailer.close();
  });

  void test('an unusable message is refused before connecting', async () => {
    const mailer = createMailer({ requireTls: false, smtpUrl: smtp.url, outboxDir: workDir, timeoutMs: TIMEOUT_MS });
    const attemptsBefore = smtp.attempts;
    try {
      for (const bad of [
        message({ messageId: 'no-at-sign' }),
        message({ to: [] }),
        message({ to: ['ops@example.com\r\nRCPT TO:<x@evil>'] }),
        message({ headers: { Bcc: 'x@evil.example' } }),
        message({ headers: { 'X-Bad\r\nBcc': 'x' } }),
      ]) {
        await assert.rejects(mailer.send(bad), (error: unknown) => error instanceof MailError && error.code === 'mail_invalid' && !error.retryable);
      }
      await assert.rejects(
        mailer.send(message({ attachments: [{ filename: 'gone.csv', path: join(workDir, 'gone.csv'), contentType: 'text/csv' }] })),
        (error: unknown) => error instanceof MailError && error.code === 'mail_attachment_unreadable',
      );
    } finally {
      mailer.close();
    }
    assert.equal(smtp.attempts, attemptsBefore);
  });

  void test('a CR/LF in the subject or a header value cannot add headers', async () => {
    const before = smtp.messages.length;
    const mailer = createMailer({ requireTls: false, smtpUrl: smtp.url, outboxDir: workDir, timeoutMs: TIMEOUT_MS });
    try {
      await mailer.send(
        message({
          subject: 'Report\r\nBcc: attacker@example.com',
          headers: { 'X-Schedule': 'Monthly\r\nX-Injected: yes' },
          messageId: '<report-crlf@report-relay>',
        }),
      );
    } finally {
      mailer.close();
    }
    const received = (await smtp.waitForMessages(before + 1))[before]!;
    assert.equal(received.parsed.subject, 'Report Bcc: attacker@example.com');
    assert.equal(received.parsed.headers.get('x-injected'), undefined);
    assert.equal(received.parsed.headers.get('bcc'), undefined);
    assert.deepEqual(received.envelope.to.sort(), ['billing@example.com', 'ops@example.com']);
  });

  void describe('without an SMTP server', () => {
    void test('the message is written to the outbox as a parseable .eml named after its Message-ID', async () => {
      const outboxDir = join(workDir, 'outbox');
      const mailer = createMailer({ outboxDir, timeoutMs: TIMEOUT_MS });
      assert.equal(mailer.description, `outbox:${outboxDir}`);
      await mailer.verify();

      const msg = message({ attachments: [{ filename: 'report.csv', path: csvPath, contentType: 'text/csv' }] });
      const first = await mailer.send(msg);
      const second = await mailer.send(msg);
      mailer.close();

      assert.equal(first.outboxPath, join(outboxDir, 'report-rep_1@report-relay.eml'));
      assert.equal(second.outboxPath, first.outboxPath);
      assert.deepEqual(first.accepted, ['ops@example.com', 'billing@example.com']);
      assert.deepEqual(await readdir(outboxDir), ['report-rep_1@report-relay.eml'], 'a resend overwrites; no temp files remain');

      const raw = await readFile(first.outboxPath);
      assert.match(raw.toString('latin1'), /\r\n\r\n/u, 'RFC 822 line ends');
      const parsed = await simpleParser(raw);
      assert.equal(parsed.subject, msg.subject);
      assert.equal(parsed.messageId, '<report-rep_1@report-relay>');
      assert.equal(parsed.html, msg.html);
      assert.ok(parsed.attachments[0]?.content.equals(csvContent));
    });
  });

  void describe('content sandbox', () => {
    void test('an <img src="file:///etc/passwd"> in the HTML stays a string; no file is embedded', async () => {
      const before = smtp.messages.length;
      const htmlWithFile = '<p>x</p><img src="file:///etc/passwd"><img src="/etc/passwd">';
      const mailer = createMailer({ requireTls: false, smtpUrl: smtp.url, outboxDir: workDir, timeoutMs: TIMEOUT_MS });
      try {
        await mailer.send(message({ html: htmlWithFile, messageId: '<report-sandbox@report-relay>' }));
      } finally {
        mailer.close();
      }
      const received = (await smtp.waitForMessages(before + 1))[before]!;
      assert.equal(received.parsed.html, htmlWithFile);
      assert.deepEqual(received.parsed.attachments, []);
      assert.ok(!received.raw.toString('utf8').includes('root:'), 'no line of /etc/passwd in the message');
    });

    void test('the transports refuse attachments that name a local file or a URL', async () => {
      let httpHits = 0;
      const web = createHttpServer((_req, res) => {
        httpHits += 1;
        res.end('secret from the network');
      });
      const webPort = await listen(web);
      const smtpTransport = createSmtpTransport(smtp.url, TIMEOUT_MS, { requireTls: false });
      const emlTransport = createEmlTransport();
      const deliveredBefore = smtp.messages.length;
      try {
        for (const attachment of [{ path: '/etc/passwd' }, { path: `http://127.0.0.1:${webPort}/` }, { href: `http://127.0.0.1:${webPort}/` }]) {
          const mail = { from: 'a@example.com', to: 'b@example.com', subject: 's', text: 't', attachments: [attachment] };
          await assert.rejects(smtpTransport.sendMail(mail), sandboxRefusal);
          const eml = emlTransport.sendMail(mail).then(async (info) => {
            for await (const _chunk of info.message as AsyncIterable<Buffer>) {
              // drain: the refusal surfaces as a stream error
            }
          });
          await assert.rejects(eml, sandboxRefusal);
        }
        await assert.rejects(
          smtpTransport.sendMail({ from: 'a@example.com', to: 'b@example.com', subject: 's', html: { path: '/etc/passwd' } }),
          sandboxRefusal,
        );
      } finally {
        smtpTransport.close();
        emlTransport.close();
        await closeServer(web);
      }
      assert.equal(httpHits, 0, 'no URL was fetched');
      assert.equal(smtp.messages.length, deliveredBefore, 'no message was delivered');
    });
  });
});
