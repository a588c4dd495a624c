/**
 * Key names of one Redis registry. Every key carries the hash tag `{<prefix>}`, so the whole
 * registry sits in one Cluster slot and one Lua script can change it atomically. The seed's
 * `<prefix>:<release>` stays readable (`{vite_manifest}:v42`). Release ids hold no ":" (see
 * release-id.ts), so a release key can never alias a metadata, asset or list key.
 *
 * | key | type | holds |
 * |---|---|---|
 * | `{vite_manifest}:list:recent-manifest-versions` | list | live releases, most recent first |
 * | `{vite_manifest}:<release>` | string | the release's manifest text |
 * | `{vite_manifest}:meta:<release>` | hash | registeredAt (the server's time, ISO), manifestHash, size, upstream, appVersion |
 * | `{vite_manifest}:assets:<release>` | hash | retained built files: output path -> bytes (opt-in) |
 * | `{vite_manifest}` | string | manifest of release "" (the seed's bare prefix; never cleaned) |
 *
 * The Lua scripts (scripts.ts) build the same names from `base`: change both together.
 * @example redisKeys("vite_manifest", "recent-manifest-versions").manifest("v42") // "{vite_manifest}:v42"
 */
export function redisKeys(prefix: string, versionsKey: string) {
  const base = `{${prefix}}`;
  return {
    base,
    list: `${base}:list:${versionsKey}`,
    manifest: (release: string) => (release === "" ? base : `${base}:${release}`),
    meta: (release: string) => `${base}:meta:${release}`,
    assets: (release: string) => `${base}:assets:${release}`,
  };
}

/** The key names of one registry. */
export type RedisKeys = ReturnType<typeof redisKeys>;
