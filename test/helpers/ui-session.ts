import assert from 'node:assert/strict';
import request from 'supertest';
import { TEST_ADMIN_TOKEN } from './config.js';

/** A signed-in dashboard session over plain HTTP: its cookie, and forms posted as the dashboard's own pages post them. */
export interface UiClient {
  get(path: string): Promise<request.Response>;
  /** Posts a form with the session's CSRF token (read from a page) and the dashboard's Origin. */
  post(path: string, fields: Record<string, string>): Promise<request.Response>;
  /** Posts a form without the CSRF field. */
  postWithoutCsrf(path: string, fields: Record<string, string>): Promise<request.Response>;
}

export async function signInUi(baseUrl: string): Promise<UiClient> {
  const signedIn = await request(baseUrl).post('/ui/sign-in').set('Origin', baseUrl).type('form').send({ token: TEST_ADMIN_TOKEN });
  assert.equal(signedIn.status, 303, signedIn.text);
  const setCookie: unknown = signedIn.headers['set-cookie'];
  const cookie = (Array.isArray(setCookie) ? String(setCookie[0]) : '').split(';')[0] ?? '';
  assert.ok(cookie !== '', 'the sign-in set the session cookie');
  const get = (path: string) => request(baseUrl).get(path).set('Cookie', cookie).redirects(0);
  const page = await get('/ui');
  const csrf = /name="_csrf" value="([^"]+)"/u.exec(page.text)?.[1];
  assert.ok(csrf, 'a page carries the CSRF token');
  const post = (path: string, fields: Record<string, string>) =>
    request(baseUrl).post(path).set('Cookie', cookie).set('Origin', baseUrl).type('form').send(fields);
  return {
    get: async (path) => get(path),
    post: async (path, fields) => post(path, { _csrf: csrf, ...fields }),
    postWithoutCsrf: async (path, fields) => post(path, fields),
  };
}
