/**
 * Scripts of the usage read model. As in src/reports/lua.ts, every key a script touches comes in
 * KEYS (made by src/redis-keys.ts).
 */

/**
 * Writes one resource's figures of one report, and keeps the resource's name in the index.
 * First lets go of the resource's points written before the retention cutoff, then keeps at most
 * maxPoints (the newest periods). The index keeps the name of the report with the latest period.
 * KEYS: points, byPeriod, byWritten, resources, resourcesByName
 * ARGV: reportId, periodMs, writtenMs, pointJson, cutoffMs, retentionSeconds, id, indexJson
 *       ({name, sortKey, periodMs, reportId}), sortKey, maxPoints
 * Returns {1, ''}.
 */
export const WRITE_RESOURCE_POINT = `
local report_id, period_ms, retention = ARGV[1], ARGV[2], tonumber(ARGV[6])
-- The point first: a full Redis refuses it before anything is written.
redis.call('HSET', KEYS[1], report_id, ARGV[4])
redis.call('ZADD', KEYS[2], period_ms, report_id)
redis.call('ZADD', KEYS[3], ARGV[3], report_id)
local function drop(members)
  for _, member in ipairs(members) do
    redis.call('HDEL', KEYS[1], member)
    redis.call('ZREM', KEYS[2], member)
    redis.call('ZREM', KEYS[3], member)
  end
end
drop(redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', '(' .. ARGV[5]))
local excess = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[10])
if excess > 0 then drop(redis.call('ZRANGE', KEYS[2], 0, excess - 1)) end
redis.call('EXPIRE', KEYS[1], retention)
redis.call('EXPIRE', KEYS[2], retention)
redis.call('EXPIRE', KEYS[3], retention)
local current = redis.call('HGET', KEYS[4], ARGV[7])
local entry = current and cjson.decode(current)
if not entry or (tonumber(entry['periodMs']) or 0) <= tonumber(period_ms) then
  if entry and entry['sortKey'] and entry['sortKey'] ~= ARGV[9] then redis.call('ZREM', KEYS[5], entry['sortKey']) end
  redis.call('ZADD', KEYS[5], 0, ARGV[9])
  redis.call('HSET', KEYS[4], ARGV[7], ARGV[8])
end
return {1, ''}
`;

/**
 * Keeps the instance's figures of one period from the latest report that covers it: replaced by
 * a report created later, never added to, left alone by one created earlier.
 * KEYS: instancePeriods (of the grouping)
 * ARGV: createdMs, then periodStart, entryJson pairs (entryJson has createdMs)
 * Returns {1, number of periods written}.
 */
export const WRITE_INSTANCE_PERIODS = `
local created = tonumber(ARGV[1])
local written = 0
for i = 2, #ARGV, 2 do
  local current = redis.call('HGET', KEYS[1], ARGV[i])
  local entry = current and cjson.decode(current)
  if not entry or (tonumber(entry['createdMs']) or 0) <= created then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
    written = written + 1
  end
end
return {1, tostring(written)}
`;

/**
 * Writes one organization's point of one month, by precedence: Losant's historicalSummaries (the
 * closed month's billed figure) replaces anything; a report's figures replace those of a report
 * created no later, and never historicalSummaries' figures. Then keeps the newest maxMonths
 * months, keeps the organization's name in the index, and forgets organizations not written
 * since the index cutoff (their points expire with them).
 * KEYS: organizationMonths, trendOrganizations, trendOrganizationsByWritten
 * ARGV: month, pointJson, source ('report' | 'historicalSummaries'), reportCreatedMs (0 for
 *       historicalSummaries), maxMonths, id, nameJson, writtenMs, indexCutoffMs, keepSeconds
 * Returns {1, '1' when the point was written, '0' when a point of higher precedence stayed}.
 */
export const WRITE_ORGANIZATION_MONTH = `
local written = '1'
local current = redis.call('HGET', KEYS[1], ARGV[1])
-- An entry that is not JSON (not what this version writes) is replaced.
local decoded, entry = false, nil
if current then decoded, entry = pcall(cjson.decode, current) end
if decoded and type(entry) == 'table' and ARGV[3] == 'report' then
  local report = entry['report']
  if entry['source'] ~= 'report' then
    written = '0'
  elseif type(report) == 'table' and (tonumber(report['createdMs']) or 0) > tonumber(ARGV[4]) then
    written = '0'
  end
end
if written == '1' then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
local months = redis.call('HKEYS', KEYS[1])
local excess = #months - tonumber(ARGV[5])
if excess > 0 then
  table.sort(months)
  for i = 1, excess do redis.call('HDEL', KEYS[1], months[i]) end
end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[10]))
redis.call('HSET', KEYS[2], ARGV[6], ARGV[7])
redis.call('ZADD', KEYS[3], ARGV[8], ARGV[6])
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', '(' .. ARGV[9])) do
  redis.call('ZREM', KEYS[3], id)
  redis.call('HDEL', KEYS[2], id)
end
return {1, written}
`;
