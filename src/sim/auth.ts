import { randomBytes } from 'node:crypto';
import { LosantSimError } from './errors.js';
import type { ActionName } from './types.js';

/**
 * Bearer tokens and their scopes. A missing or unknown token is 401; a known token whose scopes
 * do not cover the action is 403 (the simulator's choice: Losant's status for this case is not
 * documented; both carry `type: "Unauthorized"`).
 */

export const ALL_SCOPES = ['all.Instance'] as const;

const READ_SCOPES = new Set(['all.Instance.read', 'all.User.read']);
const GENERAL_SCOPES = ['all.Instance', 'all.Instance.read', 'all.User', 'all.User.read', 'instance.*', 'all.Instance.bounded', 'all.User.bounded'];

export function scopeAllows(scope: string, action: ActionName): boolean {
  if (scope === `instance.${action}`) return true;
  if (!GENERAL_SCOPES.includes(scope)) return false;
  return !(action === 'patch' && READ_SCOPES.has(scope));
}

/** A JWT-shaped token (Losant's tokens are JWTs); the simulator only compares it as a string. */
export function makeToken(scopes: readonly string[]): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return [
    part({ alg: 'HS256', typ: 'JWT' }),
    part({ sub: randomBytes(12).toString('hex'), scope: scopes, iss: 'losant-sim' }),
    randomBytes(32).toString('base64url'),
  ].join('.');
}

export function createAuth() {
  const tokens = new Map<string, string[]>();
  return {
    addToken(token: string, scopes: readonly string[]): void {
      tokens.set(token, [...scopes]);
    },
    /** Throws the Losant error for a request that may not run `action`. */
    check(authorization: string | undefined, action: ActionName): void {
      const match = /^Bearer\s+(\S+)\s*$/iu.exec(authorization ?? '');
      if (match === null) throw new LosantSimError('Unauthorized', 401, 'Authorization header with a Bearer token is required');
      const scopes = tokens.get(match[1] ?? '');
      if (scopes === undefined) throw new LosantSimError('Unauthorized', 401, 'Invalid or expired token');
      if (!scopes.some((scope) => scopeAllows(scope, action))) {
        throw new LosantSimError('Unauthorized', 403, `Token does not have the scope needed for instance.${action}`);
      }
    },
  };
}

export type Auth = ReturnType<typeof createAuth>;
