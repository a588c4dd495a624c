import { ViteRollingError } from "../../errors.js";

/** Nodes' connection-level failures: the server is down, unreachable or too slow. */
const OUTAGE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
]);
// ioredis and node-redis name their connection errors differently; both lists are here.
const OUTAGE_NAMES = new Set([
  "MaxRetriesPerRequestError",
  "ClientClosedError",
  "ClientOfflineError",
  "ConnectionTimeoutError",
  "SocketClosedUnexpectedlyError",
  "TimeoutError",
  "ClusterAllFailedError",
]);
const OUTAGE_MESSAGES =
  /Connection is closed|Stream isn't writeable|ECONNREFUSED|max retries|Failed to refresh slots cache|None of startup nodes is available|The client is closed|timed out/i;

/**
 * Whether `error` means "Redis cannot be reached" rather than "Redis refused this command".
 * An outage costs a page nothing (the local manifest serves); a refusal is a bug to report.
 */
export function isOutage(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && OUTAGE_CODES.has(code)) return true;
  if (OUTAGE_NAMES.has(error.name)) return true;
  if (error instanceof AggregateError) return error.errors.some(isOutage);
  return OUTAGE_MESSAGES.test(error.message);
}

/**
 * Turns a client error into one `[redis]` line naming the server and the fix: unreachable
 * (`ERR_REDIS_UNREACHABLE`), a Cluster node reached as a single server, or a refused command.
 */
export function toRegistryError(error: unknown, location: string): ViteRollingError {
  if (error instanceof ViteRollingError) return error;
  const message = error instanceof Error ? error.message || error.name : String(error);
  const oneLine = message.replace(/\s+/g, " ").trim().replace(/\.$/, "");
  if (isOutage(error)) {
    return new ViteRollingError(
      "redis",
      `Redis at ${location} is unreachable (${oneLine}). Start it, or point REDIS_URL / the "redis" option at a running server.`,
      { cause: error, code: "ERR_REDIS_UNREACHABLE" },
    );
  }
  if (oneLine.startsWith("MOVED") || oneLine.startsWith("CROSSSLOT")) {
    return new ViteRollingError(
      "redis",
      `Redis at ${location} is a Cluster node (${oneLine}). Pass an ioredis Cluster (or node-redis createCluster) client as "redis", e.g. from vite-rolling.config.js.`,
      { cause: error, code: "ERR_REDIS" },
    );
  }
  const fix = oneLine.startsWith("WRONGTYPE")
    ? " Another program writes under this prefix: choose another cacheKeyPrefix."
    : oneLine.includes("unknown command")
      ? " The registry needs Redis 6.2+ or Valkey (EVALSHA, LPOS)."
      : "";
  return new ViteRollingError(
    "redis",
    `Redis at ${location} refused a registry command: ${oneLine}.${fix}`,
    { cause: error, code: "ERR_REDIS" },
  );
}
