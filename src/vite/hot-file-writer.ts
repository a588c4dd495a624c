import { rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import type { HotFile } from "../engine/hot-file.js";
import { stableJson } from "../util/stable-json.js";
import { writeFileAtomic } from "../util/write-file-atomic.js";

/** Addresses meaning "every interface": no one host names the server there. */
const WILDCARD = new Set(["::", "0.0.0.0", "0000:0000:0000:0000:0000:0000:0000:0000"]);

/**
 * The hot file of a dev server as it is actually bound: the user's `server.origin` when they
 * set one (a proxy or a container's port mapping knows better than the socket), else the
 * socket's address and port; a wildcard address leaves the host to each request.
 *
 * @example hotFileOf({ address: "127.0.0.1", family: "IPv4", port: 5173 }, false, "/static/", null)
 * // { version: 1, protocol: "http", host: "127.0.0.1", port: 5173, base: "/static/" }
 */
export function hotFileOf(
  address: AddressInfo,
  https: boolean,
  base: string,
  userOrigin: string | null,
): HotFile {
  const path = base.startsWith("/") ? base : new URL(base, "http://localhost").pathname;
  if (userOrigin) {
    const url = new URL(userOrigin);
    const protocol = url.protocol === "https:" ? "https" : "http";
    const port = url.port ? Number(url.port) : protocol === "https" ? 443 : 80;
    return { version: 1, protocol, host: url.hostname, port, base: path };
  }
  const host = WILDCARD.has(address.address)
    ? null
    : address.address.includes(":")
      ? `[${address.address}]`
      : address.address;
  return { version: 1, protocol: https ? "https" : "http", host, port: address.port, base: path };
}

/** `protocol://host:port` of a hot file, `localhost` standing for a wildcard address. */
export function originOf(hot: HotFile): string {
  return `${hot.protocol}://${hot.host ?? "localhost"}:${hot.port}`;
}

/**
 * Writes the hot file and removes it when the server closes or the process ends (Ctrl+C
 * included, which skips `exit` handlers unless a signal listener turns it into an exit).
 * Returns the removal, idempotent.
 */
export async function publishHotFile(path: string, hot: HotFile): Promise<() => void> {
  let removed = false;
  const detach = () => {
    process.off("exit", remove);
    for (const signal of SIGNALS) process.off(signal, onSignal);
  };
  const remove = () => {
    if (removed) return;
    removed = true;
    detach();
    rmSync(path, { force: true });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    remove();
    // Alone, our listener would keep the process alive: raise the signal again, unhandled.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  // Listening before the file exists: a Ctrl+C the moment it appears still removes it.
  process.once("exit", remove);
  for (const signal of SIGNALS) process.once(signal, onSignal);
  try {
    await writeFileAtomic(path, stableJson(hot));
  } catch (error) {
    // Nothing was published: leave whatever is at the path alone.
    removed = true;
    detach();
    throw error;
  }
  return remove;
}

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
