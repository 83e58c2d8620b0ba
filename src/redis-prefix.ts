/**
 * REDIS_PREFIX: what every key of a deployment starts with. Besides letters, digits, `_` and `-`
 * it may hold one hash tag, `{...}`: Redis Cluster then places every key of the deployment by the
 * tag alone, so all of them (records, indexes, BullMQ's queue) share one hash slot and the
 * service's scripts and transactions, which touch several keys at once, may run there. Outside a
 * cluster the braces are just characters of the name.
 */

const NAME_CHARACTERS = /^[\w{}-]*$/u;
const TAG_NAME = /^[\w-]+$/u;
const MAX_NAME_LENGTH = 32;

/** What is wrong with a REDIS_PREFIX, in words for the configuration error; null when it is right. */
export function redisPrefixProblem(prefix: string): string | null {
  if (!NAME_CHARACTERS.test(prefix)) return `"${prefix}" may hold only letters, digits, _ or -, and one hash tag in braces, e.g. {report-relay}`;
  const name = prefix.replaceAll(/[{}]/gu, '');
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) return `"${prefix}" must have 1 to ${MAX_NAME_LENGTH} letters, digits, _ or - (braces not counted)`;
  const open = prefix.indexOf('{');
  const close = prefix.indexOf('}');
  if (open < 0 && close < 0) return null;
  const oneTag = open >= 0 && close > open && prefix.lastIndexOf('{') === open && prefix.lastIndexOf('}') === close;
  if (!oneTag) return `"${prefix}" has an unbalanced or second brace: a hash tag is one "{", a name, and one "}", e.g. {report-relay}`;
  if (!TAG_NAME.test(prefix.slice(open + 1, close)))
    return `"${prefix}" has an empty hash tag "{}": Redis Cluster would then place each key by its whole name; put a name inside, e.g. {report-relay}`;
  return null;
}

/** Whether the prefix carries a (well-formed) hash tag: on a cluster, all the deployment's keys then share one slot. */
export function hasHashTag(prefix: string): boolean {
  return redisPrefixProblem(prefix) === null && prefix.includes('{');
}
