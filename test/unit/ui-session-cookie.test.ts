import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import express from 'express';
import request from 'supertest';
import { sessionCookie } from '../../src/ui/session-cookie.js';

/** What the cookie sets and reads, through a real Express answer. */
async function setAndRead(publicUrl: string, cookieHeader: string) {
  const cookie = sessionCookie(publicUrl);
  const app = express();
  app.get('/ui', (req, res) => {
    cookie.write(res, 'session-id');
    res.json({ read: cookie.read(req) });
  });
  const response = await request(app).get('/ui').set('Cookie', cookieHeader);
  return { setCookie: (response.headers['set-cookie'] as unknown as string[])[0], read: (response.body as { read: string | null }).read };
}

describe('session cookie', () => {
  test('over http (local use): HttpOnly, SameSite=Strict, Path=/ui, not Secure', async () => {
    const { setCookie, read } = await setAndRead('http://127.0.0.1:3000', 'other=1; report-relay-ui=abc; x=2');
    assert.equal(setCookie, 'report-relay-ui=session-id; Path=/ui; HttpOnly; SameSite=Strict');
    assert.equal(read, 'abc');
  });

  test('over https: Secure, with the __Secure- prefix that browsers accept only from a secure origin', async () => {
    const { setCookie, read } = await setAndRead('https://relay.example.com', '__Secure-report-relay-ui=abc');
    assert.equal(setCookie, '__Secure-report-relay-ui=session-id; Path=/ui; HttpOnly; SameSite=Strict; Secure');
    assert.equal(read, 'abc');
  });

  test('a cookie of another name, or a name that only starts or ends the same, is not read', async () => {
    for (const header of ['', 'report-relay-ui-x=abc', 'x-report-relay-ui=abc', 'report-relay=abc']) {
      assert.equal((await setAndRead('http://127.0.0.1:3000', header)).read, null, header);
    }
  });
});
