import { createHash } from "node:crypto";

// The registry's Lua scripts. Every step that writes is one script, so concurrent deploys see
// all of it or none. Key names follow redisKeys (keys.ts): the scripts build the keys of other
// releases from ARGV base (`base .. ":meta:" .. r`), which works on a Cluster only because every
// key shares the `{prefix}` slot, so the two layouts must change together.

// Registration times come from the server's TIME, never from the client's clock, so instances
// with skewed clocks agree on every release's age (the keep window, issue 16). They are stored
// as the ISO strings JavaScript's toISOString writes (what registeredAt always held), so the
// scripts convert both ways; Lua in Redis has no os.date. Days <-> civil date: H. Hinnant,
// "chrono-Compatible Low-Level Date Algorithms" (days_from_civil, civil_from_days).
// Exported for its test (test/registry/redis-keep-window.e2e.test.ts), which runs it with EVAL.
export const LUA_TIME = `
-- A script that calls TIME and then writes must be replicated by its effects (the default
-- from Redis 5, the only mode from 7, where this call is a no-op).
if redis.replicate_commands then redis.replicate_commands() end
local function nowMs()
  local t = redis.call("TIME")
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function isoTime(ms)
  local s = math.floor(ms / 1000)
  local days = math.floor(s / 86400)
  local rem = s - days * 86400
  local z = days + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524)
    - math.floor(doe / 146096)) / 365)
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local d = doy - math.floor((153 * mp + 2) / 5) + 1
  local m = mp < 10 and mp + 3 or mp - 9
  local y = yoe + era * 400
  if m <= 2 then y = y + 1 end
  return string.format("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y, m, d, math.floor(rem / 3600),
    math.floor(rem % 3600 / 60), rem % 60, ms - s * 1000)
end
-- "YYYY-MM-DDTHH:MM:SS[.fff]Z" in ms since the epoch, else nil.
local function parseIso(text)
  if type(text) ~= "string" then return nil end
  local y, mo, d, h, mi, s, frac = string.match(text,
    "^(%d%d%d%d)%-(%d%d)%-(%d%d)T(%d%d):(%d%d):(%d%d)%.?(%d*)Z$")
  if not y then return nil end
  y, mo = tonumber(y), tonumber(mo)
  if mo <= 2 then y = y - 1 end
  local era = math.floor(y / 400)
  local yoe = y - era * 400
  local doy = math.floor((153 * ((mo + 9) % 12) + 2) / 5) + tonumber(d) - 1
  local days = era * 146097 + yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy - 719468
  local ms = tonumber(string.sub(frac .. "000", 1, 3))
  return ((days * 24 + tonumber(h)) * 60 + tonumber(mi)) * 60000 + tonumber(s) * 1000 + ms
end
`;

// Shared by register and prune: rebuilds the list (front release first, duplicates and ""
// dropped) within the keep window: the `keep` most recent and, past them, any registered less
// than `maxAge` seconds ago on the server's clock (0: count only). Same rule as inKeepWindow
// (store.ts). A release registered before issue 16 is aged by the registeredAt its client
// wrote then; one without a readable registeredAt (its metadata lost, or hand-written) counts
// as old: only the count keeps it. Then deletes only the keys of releases that left.
// No KEYS/SCAN: the list itself says what to delete, so keys of other programs sharing the
// server are never touched.
const STEP = `${LUA_TIME}
local base = ARGV[1]
local function inWindow(r, position, keep, maxAge, now)
  if position <= keep then return true end
  if maxAge <= 0 then return false end
  -- pcall: a metadata key of the wrong type is no time, not a failed deploy.
  local at = redis.pcall("HGET", base .. ":meta:" .. r, "registeredAt")
  at = parseIso(at)
  return at ~= nil and now - at < maxAge * 1000
end
local function step(list, front, keep, maxAge, now)
  local seen, kept, removed = {}, {}, {}
  local position = 0
  if front then seen[front] = true; kept[1] = front; position = 1 end
  for _, r in ipairs(redis.call("LRANGE", list, 0, -1)) do
    if r ~= "" and not seen[r] then
      seen[r] = true
      position = position + 1
      if inWindow(r, position, keep, maxAge, now) then
        kept[#kept + 1] = r
      else
        removed[#removed + 1] = r
      end
    end
  end
  redis.call("DEL", list)
  if #kept > 0 then redis.call("RPUSH", list, unpack(kept)) end
  for _, r in ipairs(removed) do
    redis.call("DEL", base .. ":" .. r, base .. ":meta:" .. r, base .. ":assets:" .. r)
  end
  return kept, removed
end
-- Redis does not roll a script back: check every key's type before the first write.
local function expect(key, kind)
  local t = redis.call("TYPE", key).ok
  if t ~= "none" and t ~= kind then
    return "WRONGTYPE registry key " .. key .. " holds a " .. t .. ", not a " .. kind
  end
end
`;

// KEYS: list, manifest, meta, assets. ARGV: base, release, keep, maxAge (seconds; until issue
// 16 this slot was the client's time, now taken from the server), text, hash, size, upstream,
// appVersion, "1" when assets are given, then path, bytes pairs. Client and script are one
// version (EVALSHA of this very text), so the layout changes with both.
const REGISTER = `${STEP}
local problem = expect(KEYS[1], "list") or expect(KEYS[2], "string")
  or expect(KEYS[3], "hash") or expect(KEYS[4], "hash")
if problem then return redis.error_reply(problem) end
local now = nowMs()
local previous = redis.call("HGET", KEYS[3], "manifestHash")
local registeredAt = isoTime(now)
if previous == ARGV[6] then
  registeredAt = redis.call("HGET", KEYS[3], "registeredAt") or registeredAt
end
local replaced = 0
if previous and previous ~= ARGV[6] then replaced = 1 end
local kept, removed = {}, {}
if ARGV[2] == "" then
  kept = redis.call("LRANGE", KEYS[1], 0, -1)
else
  kept, removed = step(KEYS[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), now)
end
redis.call("SET", KEYS[2], ARGV[5])
redis.call("DEL", KEYS[3])
redis.call("HSET", KEYS[3], "registeredAt", registeredAt, "manifestHash", ARGV[6], "size", ARGV[7],
  "upstream", ARGV[8], "appVersion", ARGV[9])
if ARGV[10] == "1" then
  redis.call("DEL", KEYS[4])
  for i = 11, #ARGV, 2 do redis.call("HSET", KEYS[4], ARGV[i], ARGV[i + 1]) end
end
return { kept, removed, replaced }
`;

// KEYS: list. ARGV: base, keep, maxAge (seconds).
const PRUNE = `${STEP}
local problem = expect(KEYS[1], "list")
if problem then return redis.error_reply(problem) end
local kept, removed = step(KEYS[1], nil, tonumber(ARGV[2]), tonumber(ARGV[3]), nowMs())
return { kept, removed, 0 }
`;

// KEYS: list, manifest, meta. ARGV: release. Only a listed release's manifest is visible.
const READ = `
if ARGV[1] ~= "" and not redis.call("LPOS", KEYS[1], ARGV[1]) then return false end
local text = redis.call("GET", KEYS[2])
if not text then return false end
local m = redis.call("HMGET", KEYS[3], "registeredAt", "upstream", "appVersion")
return { text, m[1] or "", m[2] or "", m[3] or "" }
`;

// KEYS: list. ARGV: base.
const RELEASES = `
local out = {}
for _, r in ipairs(redis.call("LRANGE", KEYS[1], 0, -1)) do
  local m = redis.call("HMGET", ARGV[1] .. ":meta:" .. r, "registeredAt", "manifestHash", "size",
    "upstream", "appVersion")
  out[#out + 1] = { r, m[1] or "", m[2] or "", m[3] or "", m[4] or "", m[5] or "" }
end
return out
`;

// KEYS: list, manifest, meta. ARGV: release, text, hash, size. A release whose metadata was
// lost (evicted) gets the server's time: it is being served, so the age window keeps it a while.
const WRITE_THROUGH = `${LUA_TIME}
if not redis.call("LPOS", KEYS[1], ARGV[1]) then return 0 end
if redis.call("EXISTS", KEYS[2]) == 1 then return 0 end
local t = redis.call("TYPE", KEYS[3]).ok
if t ~= "none" and t ~= "hash" then
  return redis.error_reply("WRONGTYPE registry key " .. KEYS[3] .. " holds a " .. t .. ", not a hash")
end
redis.call("SET", KEYS[2], ARGV[2])
if redis.call("HEXISTS", KEYS[3], "registeredAt") == 0 then
  redis.call("HSET", KEYS[3], "registeredAt", isoTime(nowMs()))
end
redis.call("HSET", KEYS[3], "manifestHash", ARGV[3], "size", ARGV[4])
return 1
`;

/** A Lua script with its SHA1, for EVALSHA. */
export interface Script {
  source: string;
  sha: string;
}

function script(source: string): Script {
  return { source, sha: createHash("sha1").update(source).digest("hex") };
}

/** Every script of the store. */
export const SCRIPTS = {
  register: script(REGISTER),
  prune: script(PRUNE),
  read: script(READ),
  releases: script(RELEASES),
  writeThrough: script(WRITE_THROUGH),
};
