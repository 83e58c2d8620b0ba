import { createHash, randomBytes } from 'node:crypto';
import type { RedisClient } from '../redis-client.js';
import { z } from 'zod';
import type { Logger } from '../log.js';
import { redisKeys } from '../redis-keys.js';

/** 32 random bytes in base64url: what a session id and a CSRF token look like. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/u;
const newToken = () => randomBytes(32).toString('base64url');

/** A session as kept in Redis (times in ms since the epoch). */
export interface UiSession {
  createdAt: number;
  lastSeenAt: number;
  /** The synchronizer token every state-changing request of this session must carry. */
  csrfToken: string;
}

const sessionSchema: z.ZodType<UiSession> = z.object({
  createdAt: z.number().int().positive(),
  lastSeenAt: z.number().int().positive(),
  csrfToken: z.string().regex(TOKEN_PATTERN),
});

export interface SessionStoreOptions {
  prefix: string;
  /** A session ends after this long without a request. */
  idleMs: number;
  /** A session ends this long after sign-in, however active. */
  maxMs: number;
  logger: Logger;
  now?: () => number;
}

/**
 * Dashboard sessions, server-side in Redis. The browser holds only an opaque random id; Redis
 * holds the session under the SHA-256 of that id, so someone who can read Redis (a backup, a
 * replica, MONITOR) learns no cookie that would sign them in. Each key expires at the idle
 * timeout or the absolute one, whichever comes first, and both are checked again on every read.
 */
export function createSessionStore(redis: RedisClient, options: SessionStoreOptions) {
  const keys = redisKeys(options.prefix).ui;
  const now = options.now ?? Date.now;
  const keyOf = (id: string) => keys.session(createHash('sha256').update(id, 'utf8').digest('hex'));
  /** How long the key may live from `at`: the idle timeout, cut short by the absolute one. */
  const lifetime = (session: UiSession, at: number) => Math.min(options.idleMs, session.createdAt + options.maxMs - at);

  return {
    /** Starts a session: its id goes into the cookie, and is not kept anywhere else. */
    async create(): Promise<{ id: string; session: UiSession }> {
      const id = newToken();
      const at = now();
      const session: UiSession = { createdAt: at, lastSeenAt: at, csrfToken: newToken() };
      await redis.set(keyOf(id), JSON.stringify(session), 'PX', lifetime(session, at), 'NX');
      return { id, session };
    },

    /** The live session with this id, its idle time restarted; null when there is none (unknown, ended, malformed). */
    async get(id: string): Promise<UiSession | null> {
      if (!TOKEN_PATTERN.test(id)) return null;
      const key = keyOf(id);
      const text = await redis.get(key);
      if (text === null) return null;
      const session = parse(text);
      if (session === null) {
        // Not what this version writes: nobody can use it, so it goes.
        options.logger.warn({ key }, 'a dashboard session in Redis is malformed; it was deleted');
        await redis.del(key);
        return null;
      }
      const at = now();
      if (at - session.lastSeenAt >= options.idleMs || lifetime(session, at) <= 0) {
        await redis.del(key);
        return null;
      }
      const touched = { ...session, lastSeenAt: at };
      // XX: a session signed out meanwhile is not brought back.
      const written = await redis.set(key, JSON.stringify(touched), 'PX', lifetime(touched, at), 'XX');
      return written === 'OK' ? touched : null;
    },

    /** Ends a session: its cookie no longer signs anyone in. */
    async destroy(id: string): Promise<void> {
      if (TOKEN_PATTERN.test(id)) await redis.del(keyOf(id));
    },
  };
}
export type SessionStore = ReturnType<typeof createSessionStore>;

function parse(text: string): UiSession | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const result = sessionSchema.safeParse(value);
  return result.success ? result.data : null;
}
