import { createHash } from "node:crypto";

// The registry's Lua scripts. Every step that writes is one script, so concurrent deploys see
// all of it or none. Key names follow redisKeys (keys.ts): the scripts build the keys of other
// releases from ARGV base (`base .. ":meta:" .. r`), which works on a Cluster only because every
// key shares the `{prefix}` slot, so the two layouts must change together.

// Shared by register and prune: rebuilds the list (front release first, duplicates and "" dropped,
// at most `keep`), then deletes only the keys of releases that left it. No KEYS/SCAN: the list
// itself says what to delete, so keys of other programs sharing the server are never touched.
const STEP = `
local base = ARGV[1]
local function step(list, front, keep)
  local seen, kept, removed = {}, {}, {}
  if front then seen[front] = true; kept[1] = front end
  for _, r in ipairs(redis.call("LRANGE", list, 0, -1)) do
    if r ~= "" and not seen[r] then
      seen[r] = true
      if #kept < keep then kept[#kept + 1] = r else removed[#removed + 1] = r end
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

// KEYS: list, manifest, meta, assets. ARGV: base, release, keep, now, text, hash, size,
// upstream, appVersion, "1" when assets are given, then path, bytes pairs.
const REGISTER = `${STEP}
local problem = expect(KEYS[1], "list") or expect(KEYS[2], "string")
  or expect(KEYS[3], "hash") or expect(KEYS[4], "hash")
if problem then return redis.error_reply(problem) end
local previous = redis.call("HGET", KEYS[3], "manifestHash")
local registeredAt = ARGV[4]
if previous == ARGV[6] then registeredAt = redis.call("HGET", KEYS[3], "registeredAt") or ARGV[4] end
local replaced = 0
if previous and previous ~= ARGV[6] then replaced = 1 end
local kept, removed = {}, {}
if ARGV[2] == "" then
  kept = redis.call("LRANGE", KEYS[1], 0, -1)
else
  kept, removed = step(KEYS[1], ARGV[2], tonumber(ARGV[3]))
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

// KEYS: list. ARGV: base, keep.
const PRUNE = `${STEP}
local problem = expect(KEYS[1], "list")
if problem then return redis.error_reply(problem) end
local kept, removed = step(KEYS[1], nil, tonumber(ARGV[2]))
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

// KEYS: list, manifest, meta. ARGV: release, text, now, hash, size.
const WRITE_THROUGH = `
if not redis.call("LPOS", KEYS[1], ARGV[1]) then return 0 end
if redis.call("EXISTS", KEYS[2]) == 1 then return 0 end
local t = redis.call("TYPE", KEYS[3]).ok
if t ~= "none" and t ~= "hash" then
  return redis.error_reply("WRONGTYPE registry key " .. KEYS[3] .. " holds a " .. t .. ", not a hash")
end
redis.call("SET", KEYS[2], ARGV[2])
if redis.call("HEXISTS", KEYS[3], "registeredAt") == 0 then
  redis.call("HSET", KEYS[3], "registeredAt", ARGV[3])
end
redis.call("HSET", KEYS[3], "manifestHash", ARGV[4], "size", ARGV[5])
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
