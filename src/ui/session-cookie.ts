import type { Request, Response } from 'express';

/**
 * The dashboard's session cookie. HttpOnly (no script reads it), SameSite=Strict (no other site's
 * page sends it), Path=/ui (the admin API and callbacks never see it). Over https it is Secure and
 * named with the __Secure- prefix, which browsers accept only from a secure origin with Secure
 * set; the stricter __Host- prefix would demand Path=/, which would send it with every request.
 */
export interface SessionCookie {
  readonly name: string;
  /** The session id the request carries, if any. */
  read(req: Request): string | null;
  /** Sets the cookie; it lives as long as the browser runs (Redis decides when the session ends). */
  write(res: Response, id: string): void;
  clear(res: Response): void;
}

export function sessionCookie(publicUrl: string): SessionCookie {
  const secure = new URL(publicUrl).protocol === 'https:';
  const name = secure ? '__Secure-report-relay-ui' : 'report-relay-ui';
  const attributes = `Path=/ui; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
  return {
    name,
    read(req) {
      for (const pair of (req.get('cookie') ?? '').split(';')) {
        const separator = pair.indexOf('=');
        if (separator > 0 && pair.slice(0, separator).trim() === name) return pair.slice(separator + 1).trim();
      }
      return null;
    },
    write(res, id) {
      res.append('Set-Cookie', `${name}=${id}; ${attributes}`);
    },
    clear(res) {
      res.append('Set-Cookie', `${name}=; ${attributes}; Max-Age=0`);
    },
  };
}
