import { describe, fail } from "../errors.js";

/** A validated upstream: an address nginx (or a router) can proxy to, or an upstream's name. */
export type UpstreamAddress = { kind: "server"; server: string } | { kind: "name"; name: string };

const HOST_LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
/** A DNS name or IPv4 address, or an IPv6 address in brackets. */
export const HOST = new RegExp(`^(?:${HOST_LABEL}(?:\\.${HOST_LABEL})*|\\[[0-9A-Fa-f:.]+\\])$`);
const UNIX = /^unix:\/[A-Za-z0-9._/-]+$/;
const UPSTREAM_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** The accepted forms, in words, for messages. */
export const UPSTREAM_RULE =
  "host:port, [ipv6]:port, unix:/path.sock or the name of an upstream block";

/**
 * Why `value` is not an upstream, or null with its parsed form. Only characters that are plain
 * in nginx config, headers and logs pass: `;`, `{`, quotes, spaces, newlines and `$` never do.
 */
function check(value: unknown): { problem: string } | { address: UpstreamAddress } {
  if (typeof value !== "string" || value === "") return { problem: "must be a non-empty string" };
  if (UNIX.test(value)) return { address: { kind: "server", server: value } };
  const colon = value.lastIndexOf(":");
  if (colon > 0 && /^\d+$/.test(value.slice(colon + 1))) {
    const port = Number(value.slice(colon + 1));
    if (!HOST.test(value.slice(0, colon))) return { problem: "has an invalid host" };
    if (port < 1 || port > 65535) return { problem: "has a port outside 1-65535" };
    return { address: { kind: "server", server: value } };
  }
  if (UPSTREAM_NAME.test(value)) return { address: { kind: "name", name: value } };
  return { problem: "is not an address" };
}

/**
 * Parses the upstream serving `release`: `host:port`, `[v6]:port`, `unix:/path` or an upstream
 * name. The one rule for upstreams: `register` checks it, `proxy-config nginx` relies on it.
 * @example parseUpstream("10.0.0.5:3000", "v42") // { kind: "server", server: "10.0.0.5:3000" }
 */
export function parseUpstream(value: unknown, release: string): UpstreamAddress {
  const result = check(value);
  if ("address" in result) return result.address;
  return fail(
    "registry",
    `upstream of release "${release}" ${result.problem}, received ${describe(value)}. Use ${UPSTREAM_RULE}.`,
    { code: "ERR_RELEASE_ID" },
  );
}
