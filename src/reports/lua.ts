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

-- An error when the index keys of a move were not passed; checked before a script's first write,
-- so a script refused for it has written nothing.
local function missing_indexes(index, from, to)
  if not index[from] or not index[to] then
    return redis.error_reply('ERR status index key not passed for ' .. from .. ' -> ' .. to)
  end
  return nil
end

-- Moves id between status indexes (checked with missing_indexes first) and keeps the awaiting
-- index to the statuses that have a deadline.
local function move_indexes(index, awaiting_key, id, from, to, score)
  redis.call('ZREM', index[from], id)
  redis.call('ZADD', index[to], score, id)
  if not AWAITING_DEADLINE[to] then redis.call('ZREM', awaiting_key, id) end
end

local function keep_for(ttl, record_key, history_key)
  redis.call('EXPIRE', record_key, ttl)
  redis.call('EXPIRE', history_key, ttl)
end
`;

/**
 * Creates a record, optionally with its callback already received (a schedule's callback), and
 * enters it in every index: by creation time, status, source and series (the three last, like the
 * first, scored by creation time, so any of them answers a time range). A record's source and
 * series never change, so only this script writes their indexes; the series' latest report is
 * kept as it is created.
 * KEYS: record, history, callbackBody, byCreated, awaiting, index of the initial status,
 *       source index, series index, seriesLatest, seriesOf, [dedupe]
 * ARGV: id, createdMs, status, at, note, retentionSeconds, overdueMs ('' for none),
 *       body ('' for none), bodyTtlSeconds, dedupeTtlSeconds, seriesKey, field1, value1, ...
 * Returns {1, id} when created, {2, existingId} when the dedupe key already named a report.
 */
export const CREATE_REPORT = `${PRELUDE}
local id, created_ms, status, at, note, series = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[11]
if KEYS[11] then
  local existing = redis.call('GET', KEYS[11])
  if existing then return {2, existing} end
  redis.call('SET', KEYS[11], id, 'EX', tonumber(ARGV[10]))
end
local fields = {}
for i = 12, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], 'status', status, 'createdMs', created_ms, unpack(fields))
redis.call('RPUSH', KEYS[2], history_entry(at, status, note))
redis.call('ZADD', KEYS[4], created_ms, id)
redis.call('ZADD', KEYS[6], created_ms, id)
redis.call('ZADD', KEYS[7], created_ms, id)
local latest = redis.call('HGET', KEYS[9], series)
local latest_ms = latest and tonumber(redis.call('ZSCORE', KEYS[8], latest))
redis.call('ZADD', KEYS[8], created_ms, id)
if not latest_ms or latest_ms <= tonumber(created_ms) then redis.call('HSET', KEYS[9], series, id) end
redis.call('HSET', KEYS[10], id, series)
if ARGV[7] ~= '' and AWAITING_DEADLINE[status] then redis.call('ZADD', KEYS[5], tonumber(ARGV[7]), id) end
if ARGV[8] ~= '' then redis.call('SET', KEYS[3], ARGV[8], 'EX', tonumber(ARGV[9])) end
keep_for(tonumber(ARGV[6]), KEYS[1], KEYS[2])
return {1, id}
`;

/**
 * Drops a report whose record is gone (expired) from every index, the series' latest included:
 * the series' next newest report takes its place, and a series left empty is forgotten.
 * KEYS: record, byCreated, awaiting, source index (api), source index (schedule), seriesLatest,
 *       seriesOf, n status indexes, then the index of the series seriesOf names for the id (the
 *       caller read it; absent for a report made before seriesOf existed)
 * ARGV: id, n
 * Returns {1, ''} when dropped, {0, ''} when the record still exists.
 */
export const DROP_GONE_REPORT = `
local id, n = ARGV[1], tonumber(ARGV[2])
if redis.call('EXISTS', KEYS[1]) == 1 then return {0, ''} end
for i = 2, 5 do redis.call('ZREM', KEYS[i], id) end
for i = 8, 7 + n do redis.call('ZREM', KEYS[i], id) end
local series_index = KEYS[8 + n]
local series = redis.call('HGET', KEYS[7], id)
redis.call('HDEL', KEYS[7], id)
if series and series_index then
  redis.call('ZREM', series_index, id)
  if redis.call('HGET', KEYS[6], series) == id then
    local newest = redis.call('ZREVRANGE', series_index, 0, 0)[1]
    if newest then redis.call('HSET', KEYS[6], series, newest) else redis.call('HDEL', KEYS[6], series) end
  end
end
return {1, ''}
`;

/**
 * Applies one named operation: a move to a new status (refused unless the table lists it), or
 * an update that keeps the status (refused unless the status is one the operation may
 * annotate). Writes the fields and the history entry in the same step. With a fence token (from
 * CLAIM_RUN), the operation is refused unless the record's fence is still that token: a run that
 * another worker has claimed since writes nothing more.
 * KEYS: record, history, awaiting, status indexes (as named in ARGV)
 * ARGV: id, to ('' keeps the status), stayIn ('*', or statuses as ',a,b,'), note ('' for none),
 *       at, retentionSeconds, fence ('' for none), n, n status names, field1, value1, ...
 * Returns {1, previousStatus} when applied, {-1, currentStatus} when refused, {-2, fence} when
 * the run was claimed by another, {0, ''} when missing.
 */
export const APPLY_OPERATION = `${PRELUDE}
local id, to, stay_in, note, at, fence, n = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[7], tonumber(ARGV[8])
local current = redis.call('HMGET', KEYS[1], 'status', 'createdMs', 'fence')
local status = current[1]
if not status then return {0, ''} end
if fence ~= '' and current[3] ~= fence then return {-2, current[3] or ''} end
if to == '' then
  if stay_in ~= '*' and not string.find(stay_in, ',' .. status .. ',', 1, true) then return {-1, status} end
elseif not (MOVES[status] and MOVES[status][to]) then
  return {-1, status}
end
local fields = {'updatedAt', at}
for i = 9 + n, #ARGV do fields[#fields + 1] = ARGV[i] end
local index = status_indexes(9, n, 3)
if to ~= '' then
  local missing = missing_indexes(index, status, to)
  if missing then return missing end
  fields[#fields + 1] = 'status'
  fields[#fields + 1] = to
end
-- HSET first: it is refused on a full Redis (OOM under noeviction) while nothing is written yet
-- (Redis checks memory only at a script's first write; ZREM first would let all of it through).
redis.call('HSET', KEYS[1], unpack(fields))
if to ~= '' then
  move_indexes(index, KEYS[3], id, status, to, tonumber(current[2]) or 0)
end
if to ~= '' or note ~= '' then redis.call('RPUSH', KEYS[2], history_entry(at, to ~= '' and to or status, note)) end
keep_for(tonumber(ARGV[6]), KEYS[1], KEYS[2])
return {1, status}
`;

/**
 * Claims the processing of a report for one worker's run: the record's fence counter goes up and
 * the new value is the run's token. Every write the run makes afterwards carries the token
 * (APPLY_OPERATION), so a worker that lost its job to another (its lock expired while it was cut
 * off or paused) is refused from then on instead of writing over the newer run.
 * KEYS: record
 * Returns {1, token}, or {0, ''} when the record is missing.
 */
export const CLAIM_RUN = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {0, ''} end
return {1, tostring(redis.call('HINCRBY', KEYS[1], 'fence', 1))}
`;

/**
 * Keeps a report's callback. The first one moves the report to callback_received. A later
 * delivery is told apart by its body's sha256: the same body (or that of a kept version) is a
 * duplicate; another body replaces the current one when that could not be used (the report is
 * unrecognized, or failed before a download succeeded), as the next run; otherwise it is kept as
 * a version, at most `maxVersions`, for the worker to take up if the current one turns out
 * unusable. A callback may come before Losant's 202 was recorded, after the report was marked
 * overdue, or after a request whose outcome was unknown: every status the table lets into
 * callback_received takes it. A report of a re-requested group (src/reports/re-request-report.ts)
 * takes its first callback only while the group's claim is open or its own: the first callback of
 * the group claims the run, and one that comes later for another report of the group is refused
 * here (code 6) and kept by the caller beside the report.
 * KEYS: record, history, callbackBody, awaiting, versions, versionBody (of this body's sha256),
 *       group claim (a key that does not exist for a report never re-requested),
 *       status indexes (as named in ARGV)
 * ARGV: id, callbackJson, body, bodyTtlSeconds, note, at, retentionSeconds, sha256, maxVersions,
 *       n, n status names
 * Returns {1, previousStatus} when kept as the callback, {2, status} for a duplicate, {3, runs}
 * when it replaced an unusable one (a new run), {4, status} when kept as a version, {5, status}
 * when the versions are full, {6, claimingReportId} when another report of its group took the run,
 * {-1, status} when the status cannot take a callback, {0, ''} when missing.
 */
export const ACCEPT_CALLBACK = `${PRELUDE}
local id = ARGV[1]
-- One read for what the decision needs: this runs on every callback.
local current = redis.call('HMGET', KEYS[1], 'status', 'callback', 'createdMs', 'download', 'runs')
local status, existing = current[1], current[2]
if not status then return {0, ''} end
local sha = ARGV[8]
local body_ttl, retention = tonumber(ARGV[4]), tonumber(ARGV[7])

-- Makes this delivery the report's callback and moves it to callback_received. The body first: SET
-- is refused on a full Redis (OOM under noeviction) while nothing is written yet. Redis checks
-- memory only at a script's first write, so one that began with ZREM would write everything,
-- past the limit.
local function store_as_callback(extra_fields, note_suffix)
  local index = status_indexes(11, tonumber(ARGV[10]), 7)
  local missing = missing_indexes(index, status, 'callback_received')
  if missing then return missing end
  redis.call('SET', KEYS[3], ARGV[3], 'EX', body_ttl)
  move_indexes(index, KEYS[4], id, status, 'callback_received', tonumber(current[3]) or 0)
  redis.call('HSET', KEYS[1], 'callback', ARGV[2], 'updatedAt', ARGV[6], 'error', 'null', 'status', 'callback_received', unpack(extra_fields))
  redis.call('RPUSH', KEYS[2], history_entry(ARGV[6], 'callback_received', ARGV[5] .. note_suffix))
  keep_for(retention, KEYS[1], KEYS[2])
  return nil
end
if existing and existing ~= '' and existing ~= 'null' then
  local repeated = cjson.decode(existing)['sha256'] == sha
  if not repeated then
    for _, entry in ipairs(redis.call('LRANGE', KEYS[5], 0, -1)) do
      if cjson.decode(entry)['sha256'] == sha then repeated = true end
    end
  end
  if repeated then
    redis.call('HINCRBY', KEYS[1], 'callbackDuplicates', 1)
    return {2, status}
  end
  local downloaded = current[4] and current[4] ~= '' and current[4] ~= 'null'
  if status == 'unrecognized' or (status == 'failed' and not downloaded) then
    local runs = (tonumber(current[5]) or 1) + 1
    local refused = store_as_callback({'interpretation', 'null', 'runs', runs}, '; a new version of the callback, the previous one could not be used: run ' .. runs)
    if refused then return refused end
    return {3, tostring(runs)}
  end
  if redis.call('LLEN', KEYS[5]) >= tonumber(ARGV[9]) then return {5, status} end
  redis.call('LPUSH', KEYS[5], ARGV[2])
  redis.call('EXPIRE', KEYS[5], retention)
  redis.call('SET', KEYS[6], ARGV[3], 'EX', body_ttl)
  redis.call('RPUSH', KEYS[2], history_entry(ARGV[6], status, 'kept another delivery of the callback with a different body (sha256 ' .. string.sub(sha, 1, 12) .. ') as a version, used if the current one cannot be'))
  return {4, status}
end
if not (MOVES[status] and MOVES[status]['callback_received']) then return {-1, status} end
local claim = redis.call('GET', KEYS[7])
if claim and claim ~= 'open' and claim ~= id then return {6, claim} end
local refused = store_as_callback({}, '')
if refused then return refused end
if claim == 'open' then redis.call('SET', KEYS[7], id, 'KEEPTTL') end
return {1, status}
`;

/**
 * Opens a re-request of an overdue report: links it to the report asked for in its place and
 * opens the group's callback claim (the first callback of the group will take it). Refused unless
 * the report is overdue and not re-requested already.
 * KEYS: record, history, group claim
 * ARGV: linkJson (the record's reRequest with `as` set), at, note, retentionSeconds
 * Returns {1, ''} when opened, {2, linkJson} when re-requested already, {-1, status} when not
 * overdue, {0, ''} when missing.
 */
export const OPEN_RE_REQUEST = `${PRELUDE}
local current = redis.call('HMGET', KEYS[1], 'status', 'reRequest')
local status, link = current[1], current[2]
if not status then return {0, ''} end
if link and link ~= '' and link ~= 'null' and cjson.decode(link)['as'] ~= cjson.null then return {2, link} end
if status ~= 'overdue' then return {-1, status} end
local retention = tonumber(ARGV[4])
-- The claim first: a full Redis refuses the step before anything is written. A claim already
-- there (the group's earlier re-request) stays as it is.
redis.call('SET', KEYS[3], 'open', 'NX', 'EX', retention)
redis.call('HSET', KEYS[1], 'reRequest', ARGV[1], 'updatedAt', ARGV[2])
redis.call('RPUSH', KEYS[2], history_entry(ARGV[2], status, ARGV[3]))
keep_for(retention, KEYS[1], KEYS[2])
return {1, ''}
`;

/**
 * Drops a callback's body from Redis once it is archived, keeping a pointer instead: only while
 * the record's callback is still the one archived (same sha256).
 * KEYS: record, callbackBody   ARGV: sha256, callbackJson (with the pointer)
 * Returns {1, ''} when dropped, {0, ''} when the callback changed meanwhile.
 */
export const DROP_ARCHIVED_CALLBACK_BODY = `
local current = redis.call('HGET', KEYS[1], 'callback')
if not current or current == '' or current == 'null' then return {0, ''} end
if cjson.decode(current)['sha256'] ~= ARGV[1] then return {0, ''} end
redis.call('HSET', KEYS[1], 'callback', ARGV[2])
redis.call('DEL', KEYS[2])
return {1, ''}
`;

/**
 * Takes up the newest kept version of a report's callback when the current one could not be
 * used (unrecognized, or failed before a download succeeded): it becomes the callback, as the
 * next run. The caller read the newest version's sha256 to name its body's key; the script checks
 * it is still the newest.
 * KEYS: record, history, callbackBody, awaiting, versions, versionBody, group claim (unused: the
 *       same keys as ACCEPT_CALLBACK), status indexes (as named in ARGV)
 * ARGV: id, sha256, at, retentionSeconds, bodyTtlSeconds, n, n status names
 * Returns {1, runs} when taken up, {2, ''} when its body had expired (it is dropped),
 * {3, ''} when another version is newest now, {-1, status} when the current callback is usable
 * or in use, {0, ''} when missing.
 */
export const TAKE_UP_CALLBACK_VERSION = `${PRELUDE}
local id = ARGV[1]
local current = redis.call('HMGET', KEYS[1], 'status', 'download', 'runs', 'createdMs')
local status = current[1]
if not status then return {0, ''} end
local downloaded = current[2] and current[2] ~= '' and current[2] ~= 'null'
if not (status == 'unrecognized' or (status == 'failed' and not downloaded)) then return {-1, status} end
local newest = redis.call('LINDEX', KEYS[5], 0)
if not newest then return {3, ''} end
if cjson.decode(newest)['sha256'] ~= ARGV[2] then return {3, ''} end
local body = redis.call('GET', KEYS[6])
if not body then
  redis.call('LPOP', KEYS[5])
  return {2, ''}
end
local index = status_indexes(7, tonumber(ARGV[6]), 7)
local missing = missing_indexes(index, status, 'callback_received')
if missing then return missing end
-- The body first: refused on a full Redis before anything is written (see ACCEPT_CALLBACK).
redis.call('SET', KEYS[3], body, 'EX', tonumber(ARGV[5]))
redis.call('LPOP', KEYS[5])
redis.call('DEL', KEYS[6])
local runs = (tonumber(current[3]) or 1) + 1
move_indexes(index, KEYS[4], id, status, 'callback_received', tonumber(current[4]) or 0)
redis.call('HSET', KEYS[1], 'callback', newest, 'updatedAt', ARGV[3], 'error', 'null', 'interpretation', 'null', 'status', 'callback_received', 'runs', runs)
redis.call('RPUSH', KEYS[2], history_entry(ARGV[3], 'callback_received', 'took up a kept delivery of the callback (sha256 ' .. string.sub(ARGV[2], 1, 12) .. '): the previous one could not be used; run ' .. runs))
keep_for(tonumber(ARGV[4]), KEYS[1], KEYS[2])
return {1, tostring(runs)}
`;
