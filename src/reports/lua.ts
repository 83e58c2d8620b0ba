import { AWAITING_DEADLINE, MOVES, REPORT_STATUSES, type ReportStatus } from './state-machine.js';

/**
 * Lua scripts that make each change of a report atomic: the status check, the field updates,
 * the index moves and the history entry happen in one step or not at all.
 *
 * The table of allowed moves is written into the scripts from src/reports/state-machine.ts, so
 * Redis itself refuses a move the table does not list, whoever asks. Every key a script
 * touches arrives in KEYS (made by src/redis-keys.ts); a script derives none. Status index keys
 * are passed with the status they belong to (ARGV names them in the same order), and only
 * those of the statuses the change can move between.
 */

const luaSet = (items: readonly string[]): string => `{ ${items.map((item) => `['${item}'] = true`).join(', ')} }`;

const PRELUDE = `
local MOVES = {
${REPORT_STATUSES.map((from: ReportStatus) => `  ['${from}'] = ${luaSet(MOVES[from])},`).join('\n')}
}
local AWAITING_DEADLINE = ${luaSet(AWAITING_DEADLINE)}

-- The history entry is written here, labelled with the status the record has after the step.
local function history_entry(at, status, note)
  if note == '' then return cjson.encode({ at = at, status = status }) end
  return cjson.encode({ at = at, status = status, note = note })
end

-- Status index keys by status name: ARGV[first .. first + count - 1] name KEYS[key_offset + 1 ..].
local function status_indexes(first, count, key_offset)
  local index = {}
  for i = 1, count do index[ARGV[first + i - 1]] = KEYS[key_offset + i] end
  return index
end

-- Moves id between status indexes and keeps the awaiting index to the statuses that have a deadline.
local function move_indexes(index, awaiting_key, id, from, to, score)
  if not index[from] or not index[to] then
    return redis.error_reply('ERR status index key not passed for ' .. from .. ' -> ' .. to)
  end
  redis.call('ZREM', index[from], id)
  redis.call('ZADD', index[to], score, id)
  if not AWAITING_DEADLINE[to] then redis.call('ZREM', awaiting_key, id) end
  return nil
end

local function keep_for(ttl, record_key, history_key)
  redis.call('EXPIRE', record_key, ttl)
  redis.call('EXPIRE', history_key, ttl)
end
`;

/**
 * Creates a record, optionally with its callback already received (a schedule's callback).
 * KEYS: record, history, callbackBody, byCreated, awaiting, index of the initial status, [dedupe]
 * ARGV: id, createdMs, status, at, note, retentionSeconds, overdueMs ('' for none),
 *       body ('' for none), bodyTtlSeconds, dedupeTtlSeconds, field1, value1, ...
 * Returns {1, id} when created, {2, existingId} when the dedupe key already named a report.
 */
export const CREATE_REPORT = `${PRELUDE}
local id, created_ms, status, at, note = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
if KEYS[7] then
  local existing = redis.call('GET', KEYS[7])
  if existing then return {2, existing} end
  redis.call('SET', KEYS[7], id, 'EX', tonumber(ARGV[10]))
end
local fields = {}
for i = 11, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], 'status', status, 'createdMs', created_ms, unpack(fields))
redis.call('RPUSH', KEYS[2], history_entry(at, status, note))
redis.call('ZADD', KEYS[4], created_ms, id)
redis.call('ZADD', KEYS[6], created_ms, id)
if ARGV[7] ~= '' and AWAITING_DEADLINE[status] then redis.call('ZADD', KEYS[5], tonumber(ARGV[7]), id) end
if ARGV[8] ~= '' then redis.call('SET', KEYS[3], ARGV[8], 'EX', tonumber(ARGV[9])) end
keep_for(tonumber(ARGV[6]), KEYS[1], KEYS[2])
return {1, id}
`;

/**
 * Applies one named operation: a move to a new status (refused unless the table lists it), or
 * an update that keeps the status (refused unless the status is one the operation may
 * annotate). Writes the fields and the history entry in the same step.
 * KEYS: record, history, awaiting, status indexes (as named in ARGV)
 * ARGV: id, to ('' keeps the status), stayIn ('*', or statuses as ',a,b,'), note ('' for none),
 *       at, retentionSeconds, n, n status names, field1, value1, ...
 * Returns {1, previousStatus} when applied, {-1, currentStatus} when refused, {0, ''} when missing.
 */
export const APPLY_OPERATION = `${PRELUDE}
local id, to, stay_in, note, at, n = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[7])
local current = redis.call('HMGET', KEYS[1], 'status', 'createdMs')
local status = current[1]
if not status then return {0, ''} end
if to == '' then
  if stay_in ~= '*' and not string.find(stay_in, ',' .. status .. ',', 1, true) then return {-1, status} end
elseif not (MOVES[status] and MOVES[status][to]) then
  return {-1, status}
end
local fields = {'updatedAt', at}
for i = 8 + n, #ARGV do fields[#fields + 1] = ARGV[i] end
local index = status_indexes(8, n, 3)
if to ~= '' then
  if not index[status] or not index[to] then
    return redis.error_reply('ERR status index key not passed for ' .. status .. ' -> ' .. to)
  end
  fields[#fields + 1] = 'status'
  fields[#fields + 1] = to
end
-- HSET first: it is refused on a full Redis (OOM under noeviction) while nothing is written yet
-- (Redis checks memory only at a script's first write; ZREM first would let all of it through).
redis.call('HSET', KEYS[1], unpack(fields))
if to ~= '' then
  local failed = move_indexes(index, KEYS[3], id, status, to, tonumber(current[2]) or 0)
  if failed then return failed end
end
if to ~= '' or note ~= '' then redis.call('RPUSH', KEYS[2], history_entry(at, to ~= '' and to or status, note)) end
keep_for(tonumber(ARGV[6]), KEYS[1], KEYS[2])
return {1, status}
`;

/**
 * Keeps the first callback of a report and moves it to callback_received; later deliveries only
 * count as duplicates. A callback may come before Losant's 202 was recorded, after the report
 * was marked overdue, or after a request whose outcome was unknown: every status the table lets
 * into callback_received takes it.
 * KEYS: record, history, callbackBody, awaiting, status indexes (as named in ARGV)
 * ARGV: id, callbackJson, body, bodyTtlSeconds, note, at, retentionSeconds, n, n status names
 * Returns {1, previousStatus} when kept, {2, status} for a duplicate, {-1, status} when the
 * status cannot take a callback, {0, ''} when missing.
 */
export const ACCEPT_CALLBACK = `${PRELUDE}
local id = ARGV[1]
-- One read for what the decision needs: this runs on every callback.
local current = redis.call('HMGET', KEYS[1], 'status', 'callback', 'createdMs')
local status, existing = current[1], current[2]
if not status then return {0, ''} end
if existing and existing ~= '' and existing ~= 'null' then
  redis.call('HINCRBY', KEYS[1], 'callbackDuplicates', 1)
  return {2, status}
end
if not (MOVES[status] and MOVES[status]['callback_received']) then return {-1, status} end
local index = status_indexes(9, tonumber(ARGV[8]), 4)
if not index[status] or not index['callback_received'] then
  return redis.error_reply('ERR status index key not passed for ' .. status .. ' -> callback_received')
end
-- The body first: SET is refused on a full Redis (OOM under noeviction) while nothing is written
-- yet. Redis checks memory only at a script's first write, so one that began with ZREM would
-- write everything, past the limit.
redis.call('SET', KEYS[3], ARGV[3], 'EX', tonumber(ARGV[4]))
local failed = move_indexes(index, KEYS[4], id, status, 'callback_received', tonumber(current[3]) or 0)
if failed then return failed end
redis.call('HSET', KEYS[1], 'callback', ARGV[2], 'updatedAt', ARGV[6], 'error', 'null', 'status', 'callback_received')
redis.call('RPUSH', KEYS[2], history_entry(ARGV[6], 'callback_received', ARGV[5]))
keep_for(tonumber(ARGV[7]), KEYS[1], KEYS[2])
return {1, status}
`;
