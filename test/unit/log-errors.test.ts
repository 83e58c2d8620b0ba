import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ERROR_MESSAGE_MAX_CHARS, LOG_LINE_MAX_BYTES, serializeError } from '../../src/log.js';
import { captureLogger } from '../helpers/logger.js';

const BODY = `{"url":"https://reports.s3.amazonaws.com/x.csv?X-Amz-Signature=${'f0'.repeat(32)}","padding":"${'MARKER '.repeat(30_000)}"}`;

/** What ioredis rejects with when Redis refuses a command: a ReplyError carrying the command and its arguments. */
function replyError(message: string): Error {
  const error = new Error(message);
  error.name = 'ReplyError';
  Object.assign(error, { command: { name: 'evalsha', args: ['0123abcd', '5', 'key', BODY] }, code: 'OOM' });
  return error;
}

describe('logged errors', () => {
  test('a ReplyError with its command arguments serializes to name, code and message only', () => {
    const serialized = serializeError(replyError("OOM command not allowed when used memory > 'maxmemory'."));
    assert.deepEqual(serialized, { name: 'ReplyError', code: 'OOM', message: "OOM command not allowed when used memory > 'maxmemory'." });
  });

  test('a long message is cut to the bound; a string or anything else becomes a message', () => {
    const long = serializeError(new Error('x'.repeat(50_000)));
    assert.equal(long.message.length, ERROR_MESSAGE_MAX_CHARS + 1);
    assert.ok(long.message.endsWith('…'));
    assert.deepEqual(serializeError('plain text'), { message: 'plain text' });
    assert.deepEqual(serializeError(42), { message: '42' });
    assert.deepEqual(serializeError({ code: 7, message: 'odd' }), { message: 'odd' });
  });

  test('the real logger writes only that, and no line passes the bound, whatever is logged', () => {
    const { logger, lines } = captureLogger();
    logger.error({ err: replyError('OOM command not allowed') }, 'callback failed');
    logger.warn({ err: 'x'.repeat(100_000), detail: 'y'.repeat(100_000) }, 'long strings');
    logger.info({ nested: { body: BODY } }, 'a nested body');
    assert.equal(lines.length, 3);
    const first = JSON.parse(lines[0]!) as Record<string, unknown>;
    assert.deepEqual(first.err, { name: 'ReplyError', code: 'OOM', message: 'OOM command not allowed' });
    for (const line of lines) {
      assert.ok(!line.includes('MARKER'), line.slice(0, 200));
      assert.ok(Buffer.byteLength(line) < LOG_LINE_MAX_BYTES, `${Buffer.byteLength(line)} bytes`);
      assert.doesNotThrow(() => JSON.parse(line));
    }
    const dropped = JSON.parse(lines[2]!) as Record<string, unknown>;
    assert.equal(dropped.level, 'info');
    assert.match(String(dropped.msg), /^log line dropped: \d+ bytes, over the bound of 8192$/u);
    assert.equal(dropped.droppedMsg, 'a nested body');
  });
});
