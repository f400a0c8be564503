/*
 * The Lua scripts that make every store operation one atomic step on the
 * Redis server, whatever the number of processes and hosts.
 *
 * Keys (under the configured prefix):
 *   c:<counter>  hash  s = committed spend, r = reserved, e = window end (ms, absent for `total`)
 *   leases       zset  reservation id → lease end (ms)
 *   res          hash  reservation id → JSON {k: counter keys, a: amounts}
 *   gate         hash  tripped, reason, actor, since
 *   audit        stream of gate changes
 *   n:<key>      string  what costctl last announced under <key> (a rule's level, the gate)
 *   a:<key>      hash  u = USD, t = tokens, q = requests: a window aggregate (window × scope dimension), e = its end
 *   seen:<key>   string  the instant a rule definition was first seeded
 * A counter key expires (PEXPIRE) a day after its window ends, so windows
 * roll over by themselves; times are the caller's clock, like every store.
 * Amounts travel as strings and are added with HINCRBYFLOAT, because Lua
 * numbers returned to Redis are truncated to integers.
 */

/** Bounded work per call: at most this many expired leases are let go by one reserve. */
export const EXPIRE_BATCH = 64;

/** How long a counter outlives its window, so a late commit or a read near the boundary still finds it. */
export const COUNTER_GRACE_MS = 86_400_000;

// Shared by reserve and commit: let expired leases go (oldest first), freeing what they held.
const EXPIRE_LEASES = `
local function expire_leases(leases, res, now)
  local ids = redis.call('ZRANGEBYSCORE', leases, '-inf', now, 'LIMIT', 0, ${EXPIRE_BATCH})
  for _, id in ipairs(ids) do
    local held = redis.call('HGET', res, id)
    if held then
      local r = cjson.decode(held)
      for i, key in ipairs(r.k) do
        if redis.call('EXISTS', key) == 1 then redis.call('HINCRBYFLOAT', key, 'r', -tonumber(r.a[i])) end
      end
      redis.call('HDEL', res, id)
    end
    redis.call('ZREM', leases, id)
  end
end

local function take(leases, res, id)
  local held = redis.call('HGET', res, id)
  if not held then return end
  local r = cjson.decode(held)
  for i, key in ipairs(r.k) do
    if redis.call('EXISTS', key) == 1 then redis.call('HINCRBYFLOAT', key, 'r', -tonumber(r.a[i])) end
  end
  redis.call('HDEL', res, id)
  redis.call('ZREM', leases, id)
end

local function touch(key, window_end, now)
  if window_end ~= '' then
    redis.call('HSETNX', key, 'e', window_end)
    redis.call('PEXPIRE', key, math.max(1, tonumber(window_end) - now + ${COUNTER_GRACE_MS}))
  end
end
`;

/**
 * KEYS[1] leases, KEYS[2] res, KEYS[3..] every counter key named below.
 * ARGV[1] JSON {id, now, lease, entries: [{c: counter key index, w: window key indexes, a: amount, l: limit|null, e: window end|""}]}.
 * Returns {1, id} or {0, index (0-based), spent as a string}.
 */
export const RESERVE = `${EXPIRE_LEASES}
local p = cjson.decode(ARGV[1])
local now = tonumber(p.now)
expire_leases(KEYS[1], KEYS[2], now)
for i, entry in ipairs(p.entries) do
  if entry.l ~= cjson.null then
    local used = 0
    for _, w in ipairs(entry.w) do
      local v = redis.call('HMGET', KEYS[w], 's', 'r', 'e')
      if v[3] == false or tonumber(v[3]) > now then
        used = used + (tonumber(v[1]) or 0) + (tonumber(v[2]) or 0)
      end
    end
    if used + tonumber(entry.a) > tonumber(entry.l) then
      return {0, i - 1, tostring(used)}
    end
  end
end
local keys, amounts = {}, {}
for i, entry in ipairs(p.entries) do
  local key = KEYS[entry.c]
  redis.call('HINCRBYFLOAT', key, 'r', entry.a)
  touch(key, entry.e, now)
  keys[i] = key
  amounts[i] = entry.a
end
redis.call('HSET', KEYS[2], p.id, cjson.encode({k = keys, a = amounts}))
redis.call('ZADD', KEYS[1], now + tonumber(p.lease), p.id)
return {1, p.id}
`;

/**
 * KEYS[1] leases, KEYS[2] res, KEYS[3..] the spend's counter keys, in order,
 * then the aggregate keys. ARGV[1] JSON {id, now, spend: [{a: amount, e: window end|""}],
 * agg: [{u, t, q: amounts, e: [end|"" per aggregate key, in key order]}]}.
 */
export const COMMIT = `${EXPIRE_LEASES}
local p = cjson.decode(ARGV[1])
local now = tonumber(p.now)
take(KEYS[1], KEYS[2], p.id)
for i, s in ipairs(p.spend) do
  local key = KEYS[i + 2]
  redis.call('HINCRBYFLOAT', key, 's', s.a)
  touch(key, s.e, now)
end
local at = #p.spend + 3
for _, agg in ipairs(p.agg) do
  for _, e in ipairs(agg.e) do
    local key = KEYS[at]
    redis.call('HINCRBYFLOAT', key, 'u', agg.u)
    redis.call('HINCRBYFLOAT', key, 't', agg.t)
    redis.call('HINCRBYFLOAT', key, 'q', agg.q)
    touch(key, e, now)
    at = at + 1
  end
end
return 1
`;

/**
 * KEYS: every seen, counter and aggregate key named below. ARGV[1] JSON
 * {now, seeds: [{s: seen key index, c: counter key index, e: counter window end|"",
 * u: 'u'|'t'|'q', f: [[aggregate key indexes of one dimension], …]}]}.
 * A definition seen already is left alone; otherwise its counter rises to
 * the least of its dimensions' sums, all in one step for the fleet.
 */
export const SEED = `${EXPIRE_LEASES}
local p = cjson.decode(ARGV[1])
local now = tonumber(p.now)
for _, seed in ipairs(p.seeds) do
  if redis.call('SET', KEYS[seed.s], tostring(now), 'NX') then
    local least = nil
    for _, dimension in ipairs(seed.f) do
      local sum = 0
      for _, k in ipairs(dimension) do
        local v = redis.call('HMGET', KEYS[k], seed.u, 'e')
        if v[2] == false or tonumber(v[2]) > now then sum = sum + (tonumber(v[1]) or 0) end
      end
      if least == nil or sum < least then least = sum end
    end
    local counter = KEYS[seed.c]
    local spent = tonumber(redis.call('HGET', counter, 's')) or 0
    if least ~= nil and least > spent then redis.call('HINCRBYFLOAT', counter, 's', tostring(least - spent)) end
    touch(counter, seed.e, now)
  end
end
return 1
`;

/**
 * KEYS: window aggregate keys; ARGV[1] now. Returns, per key in order,
 * {u, t, q} as strings, or an empty list when the key is gone or its window
 * was let go by `now`.
 */
export const READ_AGGREGATES = `
local now = tonumber(ARGV[1])
local found = {}
for i, key in ipairs(KEYS) do
  local v = redis.call('HMGET', key, 'u', 't', 'q', 'e')
  if v[1] and (v[4] == false or tonumber(v[4]) > now) then
    found[i] = {v[1], v[2] or '0', v[3] or '0'}
  else
    found[i] = {}
  end
end
return found
`;

/**
 * KEYS[1] leases, KEYS[2] res, KEYS[3..] every counter key named below.
 * ARGV[1] JSON {now, lease, r: [{o: old reservation id|"", n: new id, s: spent, c: counter key index,
 * w: window key indexes, a: amount asked, l: limit|null, k: keep, e: window end|"",
 * u: [{i: id, s: spent}] renewals of this lease that got no answer, newest first}]}.
 * Per lease, in order: lets the old reservation go, commits the spend, then
 * holds the amount asked if the window has room for it, else the keep. A
 * renewal that got no answer but ran holds its new id still: its spend is
 * not counted twice.
 * Returns, per lease, granted (1|0) and the id held ("" for none).
 */
export const RENEW_LEASES = `${EXPIRE_LEASES}
local p = cjson.decode(ARGV[1])
local now = tonumber(p.now)
expire_leases(KEYS[1], KEYS[2], now)
local out = {}
for _, r in ipairs(p.r) do
  local spent = tonumber(r.s)
  for _, u in ipairs(r.u) do
    if redis.call('HEXISTS', KEYS[2], u.i) == 1 then
      spent = spent - tonumber(u.s)
      break
    end
  end
  for _, u in ipairs(r.u) do take(KEYS[1], KEYS[2], u.i) end
  if r.o ~= '' then take(KEYS[1], KEYS[2], r.o) end
  local key = KEYS[r.c]
  if spent ~= 0 then
    redis.call('HINCRBYFLOAT', key, 's', tostring(spent))
    touch(key, r.e, now)
  end
  local used = 0
  for _, w in ipairs(r.w) do
    local v = redis.call('HMGET', KEYS[w], 's', 'r', 'e')
    if v[3] == false or tonumber(v[3]) > now then
      used = used + (tonumber(v[1]) or 0) + (tonumber(v[2]) or 0)
    end
  end
  local granted = r.l == cjson.null or used + tonumber(r.a) <= tonumber(r.l)
  local hold = granted and r.a or r.k
  local id = ''
  if tonumber(hold) > 0 then
    redis.call('HINCRBYFLOAT', key, 'r', hold)
    touch(key, r.e, now)
    redis.call('HSET', KEYS[2], r.n, cjson.encode({k = {key}, a = {hold}}))
    redis.call('ZADD', KEYS[1], now + tonumber(p.lease), r.n)
    id = r.n
  end
  out[#out + 1] = granted and 1 or 0
  out[#out + 1] = id
end
return out
`;

/** KEYS[1] leases, KEYS[2] res; ARGV[1] the reservation id. */
export const RELEASE = `${EXPIRE_LEASES}
take(KEYS[1], KEYS[2], ARGV[1])
return 1
`;

/** KEYS: the window's counter keys; ARGV[1] now. Returns {spent, reserved} as strings. */
export const READ = `
local now = tonumber(ARGV[1])
local spent, reserved = 0, 0
for _, key in ipairs(KEYS) do
  local v = redis.call('HMGET', key, 's', 'r', 'e')
  if v[3] == false or tonumber(v[3]) > now then
    spent = spent + (tonumber(v[1]) or 0)
    reserved = reserved + (tonumber(v[2]) or 0)
  end
end
return {tostring(spent), tostring(reserved)}
`;

/**
 * KEYS[1] gate, KEYS[2] audit stream; ARGV: action, reason, actor, now, host, pid, channel,
 * and the publish command: PUBLISH, or SPUBLISH on a cluster (the channel is in the keys' slot).
 * Applies the change, appends it to the audit stream and publishes the new
 * state, in one step: no process can see one without the others.
 */
export const CHANGE_GATE = `
local was = redis.call('HGET', KEYS[1], 'tripped') == '1'
local tripped = ARGV[1] == 'trip' and '1' or '0'
redis.call('HSET', KEYS[1], 'tripped', tripped, 'reason', ARGV[2], 'actor', ARGV[3], 'since', ARGV[4])
redis.call('XADD', KEYS[2], '*', 'time', ARGV[4], 'action', ARGV[1], 'reason', ARGV[2], 'actor', ARGV[3], 'host', ARGV[5], 'pid', ARGV[6], 'wasTripped', was and '1' or '0')
local state = cjson.encode({tripped = tripped == '1', reason = ARGV[2], actor = ARGV[3], since = tonumber(ARGV[4])})
redis.call(ARGV[8] == 'SPUBLISH' and 'SPUBLISH' or 'PUBLISH', ARGV[7], state)
return state
`;

/**
 * KEYS[1] the announcement key; ARGV[1] '1' when a value is expected, ARGV[2] it, ARGV[3] the next value.
 * Writes the next value only if the key holds the expected one: returns 1 when written, else 0.
 */
export const SWAP_ANNOUNCED = `
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if current ~= ARGV[2] then return 0 end
elseif current then
  return 0
end
redis.call('SET', KEYS[1], ARGV[3])
return 1
`;
