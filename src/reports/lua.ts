/**
 * Lua scripts that make each state change of a report atomic: the status check, the field
 * updates, the index moves and the history entry happen in one step or not at all.
 * Index keys are derived from a prefix inside the scripts, which ties the store to a single
 * Redis node (as BullMQ itself is, without hash tags).
 */

/** Shared helper: move `id` between per-status sorted sets and the awaiting set. */
const MOVE_INDEXES = `
local function move_status(prefix, id, from, to, score)
  if from == to then return end
  if from and from ~= '' then redis.call('ZREM', prefix .. ':reports:status:' .. from, id) end
  redis.call('ZADD', prefix .. ':reports:status:' .. to, score, id)
end
local function set_awaiting(prefix, id, mode, deadline)
  if mode == 'add' then redis.call('ZADD', prefix .. ':reports:awaiting', deadline, id)
  elseif mode == 'remove' then redis.call('ZREM', prefix .. ':reports:awaiting', id) end
end
`;

/**
 * Creates a record, optionally with its callback already received (a schedule's callback).
 * KEYS: record, history, callbackBody, dedupe (or '' placeholder)
 * ARGV: prefix, id, createdMs, status, historyEntry, retentionSeconds, awaitingMode, deadline,
 *       body ('' when none), bodyTtlSeconds, dedupeTtlSeconds, field1, value1, ...
 * Returns {1, id} when created, {2, existingId} when the dedupe key already named a report.
 */
export const CREATE_REPORT = `${MOVE_INDEXES}
local prefix, id, createdMs, status = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
if KEYS[4] ~= '' then
  local existing = redis.call('GET', KEYS[4])
  if existing then return {2, existing} end
  redis.call('SET', KEYS[4], id, 'EX', tonumber(ARGV[11]))
end
local fields = {}
for i = 12, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], 'status', status, 'createdMs', createdMs, unpack(fields))
redis.call('RPUSH', KEYS[2], ARGV[5])
redis.call('ZADD', prefix .. ':reports:by-created', createdMs, id)
move_status(prefix, id, nil, status, createdMs)
set_awaiting(prefix, id, ARGV[7], tonumber(ARGV[8]))
if ARGV[9] ~= '' then redis.call('SET', KEYS[3], ARGV[9], 'EX', tonumber(ARGV[10])) end
local ttl = tonumber(ARGV[6])
redis.call('EXPIRE', KEYS[1], ttl)
redis.call('EXPIRE', KEYS[2], ttl)
return {1, id}
`;

/**
 * Moves a record to a new status if its current status is allowed, and sets fields.
 * KEYS: record, history
 * ARGV: prefix, id, allowedFrom (comma list or '*'), to ('' keeps the status), historyEntry ('' for none),
 *       retentionSeconds, awaitingMode ('add' | 'remove' | ''), deadline, field1, value1, ...
 * Returns {1, previousStatus} on success, {-1, currentStatus} when not allowed, {0, ''} when missing.
 */
export const TRANSITION = `${MOVE_INDEXES}
local prefix, id, allowed, to = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {0, ''} end
if allowed ~= '*' then
  local ok = false
  for s in string.gmatch(allowed, '[^,]+') do if s == status then ok = true end end
  if not ok then return {-1, status} end
end
if #ARGV >= 9 then
  local fields = {}
  for i = 9, #ARGV do fields[#fields + 1] = ARGV[i] end
  redis.call('HSET', KEYS[1], unpack(fields))
end
if to ~= '' and to ~= status then
  local score = tonumber(redis.call('HGET', KEYS[1], 'createdMs')) or 0
  move_status(prefix, id, status, to, score)
  redis.call('HSET', KEYS[1], 'status', to)
end
set_awaiting(prefix, id, ARGV[7], tonumber(ARGV[8]))
if ARGV[5] ~= '' then redis.call('RPUSH', KEYS[2], ARGV[5]) end
local ttl = tonumber(ARGV[6])
redis.call('EXPIRE', KEYS[1], ttl)
redis.call('EXPIRE', KEYS[2], ttl)
return {1, status}
`;

/**
 * Keeps the first callback of a report and moves it to callback_received; later deliveries only
 * count as duplicates. Accepted in any status as long as no callback was kept yet: a callback
 * may come before Losant's 202 was recorded, after the report was marked overdue, or after a
 * request whose outcome was unknown.
 * KEYS: record, history, callbackBody
 * ARGV: prefix, id, callbackJson, body, bodyTtlSeconds, historyEntry, retentionSeconds, updatedAt
 * Returns {1, previousStatus} when kept, {2, status} for a duplicate, {0, ''} when missing.
 */
export const ACCEPT_CALLBACK = `${MOVE_INDEXES}
local prefix, id = ARGV[1], ARGV[2]
-- One read for what the decision needs: this runs on every callback.
local current = redis.call('HMGET', KEYS[1], 'status', 'callback', 'createdMs')
local status, existing = current[1], current[2]
if not status then return {0, ''} end
if existing and existing ~= '' and existing ~= 'null' then
  redis.call('HINCRBY', KEYS[1], 'callbackDuplicates', 1)
  return {2, status}
end
redis.call('SET', KEYS[3], ARGV[4], 'EX', tonumber(ARGV[5]))
redis.call('HSET', KEYS[1], 'callback', ARGV[3], 'updatedAt', ARGV[8], 'error', 'null', 'status', 'callback_received')
move_status(prefix, id, status, 'callback_received', tonumber(current[3]) or 0)
set_awaiting(prefix, id, 'remove', 0)
redis.call('RPUSH', KEYS[2], ARGV[6])
local ttl = tonumber(ARGV[7])
redis.call('EXPIRE', KEYS[1], ttl)
redis.call('EXPIRE', KEYS[2], ttl)
return {1, status}
`;
