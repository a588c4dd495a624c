import { describe, fail } from "../errors.js";
import { VERSION_ROUTER_DEFAULTS } from "../http/version-router.js";
import { assertReleaseId } from "../registry/release-id.js";
import { HOST, parseUpstream, type UpstreamAddress } from "../registry/upstream.js";

/** One live release and the backend serving it. */
export interface ProxyRelease {
  /** Release id (the registry's rule, `assertReleaseId`; not empty here). */
  release: string;
  /**
   * `host:port`, `[ipv6]:port` or `unix:/path.sock` (an `upstream` block is generated), or the
   * name of an `upstream` defined elsewhere in your nginx config.
   */
  upstream: string;
  /** Share of unpinned traffic, relative to the other weights (no canary then). */
  weight?: number;
}

/** Options of `nginxConfig`. */
export interface NginxConfigOptions {
  releases: readonly ProxyRelease[];
  /** Release unpinned requests (and unknown pins) go to. */
  defaultRelease: string;
  /** Send `percent` of unpinned clients to `release` instead of the default (sticky per client). */
  canary?: { release: string; percent: number } | null;
  /** `listen` of the server block: a port or `address:port`. @default 80 */
  listen?: number | string;
  /** `server_name`. @default "_" */
  serverName?: string;
  /** Request header pinning a release. @default "x-app-requested-version" */
  header?: string;
  /** Query parameter pinning a release. @default "dpl" */
  query?: string;
  /** Cookie pinning a release. @default "app_version" */
  cookie?: string;
  /** Response header naming the release that served. @default "X-Release" */
  releaseHeader?: string;
  /** What splits clients for a canary or weights (nginx variables only). @default "$remote_addr$http_user_agent" */
  splitKey?: string;
}

// Release ids follow the registry's one rule (release-id.ts), which already keeps nginx syntax
// out of map keys and comments; what nginx adds is checked here: not empty, unique ignoring case.
// nginx's default map_hash_bucket_size (the CPU cache line, usually 64) fits keys of about 40
// bytes; longer release ids (a 40-hex SHA fits) need a bigger bucket.
const LONG_KEY = 40;
// nginx drops request headers with underscores by default; variables stop at `-`.
const HEADER = /^[A-Za-z0-9][A-Za-z0-9-]*$/;
const VARIABLE_PART = /^[A-Za-z0-9_]+$/;
const SPLIT_KEY = /^(?:\$[A-Za-z_][A-Za-z0-9_]*)+$/;
// Map source values equal to these words must be escaped with "\" (nginx map docs).
const MAP_WORDS = new Set(["default", "hostnames", "include", "volatile"]);

const HEADER_HINT = "a header name (letters, digits, -)";
const VARIABLE_HINT = "letters, digits or _";

/** The names nginxConfig writes into the config: default, what they must match, and a hint. */
const NAMES = {
  header: [VERSION_ROUTER_DEFAULTS.header, HEADER, HEADER_HINT],
  query: [VERSION_ROUTER_DEFAULTS.query, VARIABLE_PART, VARIABLE_HINT],
  cookie: [VERSION_ROUTER_DEFAULTS.cookie, VARIABLE_PART, VARIABLE_HINT],
  releaseHeader: ["X-Release", HEADER, HEADER_HINT],
  splitKey: [
    "$remote_addr$http_user_agent",
    SPLIT_KEY,
    "nginx variables only, e.g. $remote_addr$http_user_agent",
  ],
  serverName: ["_", /^[A-Za-z0-9_.*-]+$/, "a host name"],
} as const satisfies Record<string, readonly [string, RegExp, string]>;

function names(options: NginxConfigOptions): Record<keyof typeof NAMES, string> {
  const out = {} as Record<keyof typeof NAMES, string>;
  for (const key of Object.keys(NAMES) as (keyof typeof NAMES)[]) {
    const [fallback, pattern, hint] = NAMES[key];
    const value: unknown = options[key] ?? fallback;
    if (typeof value !== "string" || !pattern.test(value)) {
      fail("proxy-config", `option "${key}" must be ${hint}, received ${describe(value)}.`, {
        code: "ERR_OPTIONS",
      });
    }
    out[key] = value;
  }
  return out;
}

function mapKey(release: string): string {
  return MAP_WORDS.has(release.toLowerCase()) ? `\\${release}` : release;
}

/**
 * Renders nginx config for blue/green and canary routing in front of several releases, to
 * `include` inside `http {}`: one `upstream` per release, `map`s that pick the release from the
 * pin header, then `?dpl=`, then the cookie, else the default (or a `split_clients` share for a
 * canary or weights), a server that proxies there and answers with the release that served.
 *
 * A pin naming no live release falls to the next pin, then the default: nginx never locks a
 * client out. (The app-side `versionRouter` answers 409 to such API calls instead.) nginx
 * matches map keys case-insensitively, so release ids differing only in case are refused.
 *
 * Pure: validates everything first and fails with the offending value; the output is
 * deterministic for the same input.
 *
 * @example
 * nginxConfig({
 *   releases: [{ release: "v1", upstream: "127.0.0.1:3001" }, { release: "v2", upstream: "127.0.0.1:3002" }],
 *   defaultRelease: "v1",
 *   canary: { release: "v2", percent: 10 },
 *   listen: 8080,
 * });
 */
export function nginxConfig(options: NginxConfigOptions): string {
  if (typeof options !== "object" || options === null) {
    fail("proxy-config", `nginxConfig expects an options object, received ${describe(options)}.`, {
      code: "ERR_OPTIONS",
    });
  }
  const { releases, defaultRelease, canary } = options;
  if (!Array.isArray(releases) || releases.length === 0) {
    fail(
      "proxy-config",
      `option "releases" must be a non-empty array of { release, upstream }, received ${describe(releases)}. Pass --upstream RELEASE=host:port or register releases with an upstream.`,
      { code: "ERR_OPTIONS" },
    );
  }
  const seen = new Map<string, string>();
  const entries = releases.map((entry, index) => {
    const release = (entry as Partial<ProxyRelease> | null)?.release;
    assertReleaseId(release, `release #${index + 1}`);
    if (release === "") {
      fail(
        "proxy-config",
        `release #${index + 1} has an empty id: nginx routes named releases only. Register it with a RELEASE_VERSION.`,
        { code: "ERR_RELEASE_ID" },
      );
    }
    const lower = release.toLowerCase();
    if (seen.has(lower)) {
      fail(
        "proxy-config",
        `releases "${seen.get(lower)}" and "${release}" collide: nginx matches pins case-insensitively; rename one.`,
        { code: "ERR_RELEASE_ID" },
      );
    }
    seen.set(lower, release);
    const weight = entry.weight;
    if (weight !== undefined && !(Number.isFinite(weight) && weight >= 0)) {
      fail(
        "proxy-config",
        `weight of release "${release}" must be a number ≥ 0, received ${describe(weight)}.`,
        { code: "ERR_OPTIONS" },
      );
    }
    return {
      release,
      address: parseUpstream(entry.upstream, release),
      weight,
      group: `vr_release_${index}`,
    };
  });
  const byName = new Map(entries.map((e) => [e.release, e]));
  const live = entries.map((e) => e.release).join(", ");
  if (typeof defaultRelease !== "string" || !byName.has(defaultRelease)) {
    fail(
      "proxy-config",
      `option "defaultRelease" must be one of the releases (${live}), received ${describe(defaultRelease)}.`,
      { code: "ERR_OPTIONS" },
    );
  }
  const weighted = entries.filter((e) => e.weight !== undefined);
  if (canary) {
    if (!byName.has(canary.release)) {
      fail(
        "proxy-config",
        `canary release must be one of the releases (${live}), received ${describe(canary.release)}.`,
        { code: "ERR_OPTIONS" },
      );
    }
    if (canary.release === defaultRelease) {
      fail(
        "proxy-config",
        `canary release "${canary.release}" is the default release; pick another one.`,
        { code: "ERR_OPTIONS" },
      );
    }
    // split_clients takes at most two decimals.
    const { percent } = canary;
    if (!(percent > 0 && percent < 100 && Number(percent.toFixed(2)) === percent)) {
      fail(
        "proxy-config",
        `canary percent must be a number above 0 and below 100, at most two decimals, received ${describe(percent)}.`,
        { code: "ERR_OPTIONS" },
      );
    }
    if (weighted.length > 0) {
      fail("proxy-config", "pass either a canary or release weights, not both.", {
        code: "ERR_OPTIONS",
      });
    }
  }
  const { header, query, cookie, releaseHeader, splitKey, serverName } = names(options);
  const listen = parseListen(options.listen ?? 80);

  // Unpinned traffic: a split when there is a canary or weights, else the default release.
  const split = canary
    ? [
        { share: canary.percent, release: canary.release },
        { share: 100 - canary.percent, release: defaultRelease },
      ]
    : weighted.length > 0
      ? percentages(weighted.map((e) => ({ weight: e.weight!, release: e.release })))
      : null;

  const lines: string[] = [
    "# Generated by vite-rolling (proxy-config nginx). Include inside http {}.",
    `# Releases: ${live}; default: ${defaultRelease}${canary ? `; canary: ${canary.release} ${canary.percent}%` : ""}.`,
    `# Pin order: header ${header}, then ?${query}=, then cookie ${cookie}; unknown pins fall through.`,
    "",
  ];
  if (entries.some((e) => e.release.length > LONG_KEY)) {
    lines.push(
      "# Release ids longer than 40 bytes need room in map hash buckets.",
      "map_hash_bucket_size 256;",
      "",
    );
  }
  for (const e of entries) {
    if (e.address.kind === "name") continue;
    lines.push(
      `upstream ${e.group} {`,
      `    server ${e.address.server};`,
      "    keepalive 16;",
      "}",
      "",
    );
  }
  const unpinned = split ? "$vr_unpinned" : defaultRelease;
  if (split) {
    lines.push(`split_clients "${splitKey}" $vr_unpinned {`);
    split.forEach((part, i) => {
      const share = i === split.length - 1 ? "*" : `${part.share}%`;
      if (share === "0%") return;
      lines.push(`    ${share.padEnd(7)} ${part.release};`);
    });
    lines.push("}", "");
  }
  const pinMap = (source: string, variable: string, fallback: string) => {
    lines.push(`map ${source} ${variable} {`, `    default ${fallback};`);
    for (const e of entries) lines.push(`    ${mapKey(e.release)} ${e.release};`);
    lines.push("}", "");
  };
  pinMap(`$cookie_${cookie}`, "$vr_from_cookie", unpinned);
  pinMap(`$arg_${query}`, "$vr_from_query", "$vr_from_cookie");
  pinMap(`$http_${header.toLowerCase().replaceAll("-", "_")}`, "$vr_release", "$vr_from_query");
  lines.push(
    "map $vr_release $vr_upstream {",
    `    default ${groupOf(byName.get(defaultRelease)!)};`,
  );
  for (const e of entries) lines.push(`    ${mapKey(e.release)} ${groupOf(e)};`);
  lines.push("}", "");

  lines.push(
    "server {",
    `    listen ${listen};`,
    `    server_name ${serverName};`,
    "",
    "    location / {",
    "        proxy_pass http://$vr_upstream;",
    "        proxy_http_version 1.1;",
    '        proxy_set_header Connection "";',
    "        proxy_set_header Host $host;",
    "        proxy_set_header X-Real-IP $remote_addr;",
    "        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
    "        proxy_set_header X-Forwarded-Proto $scheme;",
    "        proxy_set_header X-Forwarded-Host $host;",
    `        add_header ${releaseHeader} $vr_release always;`,
    "    }",
    "}",
    "",
  );
  return lines.join("\n");
}

function groupOf(entry: { address: UpstreamAddress; group: string }): string {
  return entry.address.kind === "name" ? entry.address.name : entry.group;
}

function parseListen(value: unknown): string {
  const port = typeof value === "number" ? value : Number.NaN;
  if (Number.isInteger(port) && port >= 1 && port <= 65535) return String(port);
  if (typeof value === "string") {
    if (/^\d+$/.test(value)) return parseListen(Number(value));
    const colon = value.lastIndexOf(":");
    const host = value.slice(0, colon);
    const p = Number(value.slice(colon + 1));
    if (colon > 0 && HOST.test(host) && Number.isInteger(p) && p >= 1 && p <= 65535) return value;
  }
  return fail(
    "proxy-config",
    `option "listen" must be a port (1-65535) or address:port, received ${describe(value)}.`,
    { code: "ERR_OPTIONS" },
  );
}

/** Weights as split_clients percentages (two decimals), the last one taking the rest. */
function percentages(parts: { weight: number; release: string }[]) {
  const total = parts.reduce((sum, p) => sum + p.weight, 0);
  if (total <= 0)
    fail("proxy-config", "release weights add up to 0; give at least one a positive weight.", {
      code: "ERR_OPTIONS",
    });
  return parts
    .filter((p) => p.weight > 0)
    .map((p) => ({ release: p.release, share: Math.floor((p.weight / total) * 10000) / 100 }));
}
