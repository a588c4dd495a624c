import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { fail } from "../errors.js";
import { errnoCode } from "../util/errno.js";

/** Tuning of `withFileLock`. */
export interface FileLockOptions {
  /** A lock whose holder has not refreshed it for this long is taken over. @default 10000 */
  staleMs?: number;
  /** Give up waiting after this long. @default 30000 */
  timeoutMs?: number;
}

interface Owner {
  pid: number;
  host: string;
  token: string;
  since: string;
}

const OWNER_FILE = "owner.json";

async function readOwner(lockDir: string): Promise<Owner | null> {
  try {
    const parsed: unknown = JSON.parse(await readFile(join(lockDir, OWNER_FILE), "utf8"));
    if (typeof parsed === "object" && parsed !== null && "token" in parsed) return parsed as Owner;
    return null;
  } catch {
    return null;
  }
}

/** Whether process `pid` of this machine exists (stopped counts: it may resume). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return errnoCode(error) === "EPERM";
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Whether the lock was stale and is now gone (the caller retries at once). */
async function breakIfStale(lockDir: string, staleMs: number): Promise<boolean> {
  const owner = await readOwner(lockDir);
  let mtimeMs: number;
  try {
    mtimeMs = (await stat(lockDir)).mtimeMs;
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return true;
    throw error;
  }
  const deadHolder = owner !== null && owner.host === hostname() && !pidAlive(owner.pid);
  if (!deadHolder && Date.now() - mtimeMs <= staleMs) return false;
  // Move it aside first: rename is atomic, so of several processes breaking it only one wins.
  const trash = `${lockDir}.${randomBytes(6).toString("hex")}.stale`;
  try {
    await rename(lockDir, trash);
  } catch {
    return true;
  }
  const moved = await readOwner(trash);
  if ((moved?.token ?? null) !== (owner?.token ?? null)) {
    // A new holder took the lock between our look and the rename: hand it back.
    await rename(trash, lockDir).catch(() => {});
    return false;
  }
  await rm(trash, { recursive: true, force: true });
  return true;
}

/** What `withFileLock` gives the function it runs. */
export interface HeldLock {
  /**
   * Whether the lock is still ours. A holder that stalled past `staleMs` (SIGSTOP, swap, a
   * debugger) was taken over: it must then commit nothing. Check right before the commit.
   */
  held(): Promise<boolean>;
}

/**
 * Runs `fn` while holding a lock shared by every process of this machine: a directory that
 * appears atomically (prepared aside with its owner file, then renamed into place) and that the
 * holder touches while it works. A lock whose holder died (same host, pid gone) or stopped
 * touching it for `staleMs` is taken over; `fn` checks `lock.held()` before it commits.
 */
export async function withFileLock<T>(
  lockDir: string,
  fn: (lock: HeldLock) => Promise<T>,
  options: FileLockOptions = {},
): Promise<T> {
  const staleMs = options.staleMs ?? 10_000;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const owner: Owner = {
    pid: process.pid,
    host: hostname(),
    token: randomBytes(12).toString("hex"),
    since: new Date().toISOString(),
  };
  await mkdir(dirname(lockDir), { recursive: true });
  let wait = 2;
  for (;;) {
    const candidate = `${lockDir}.${owner.token}.${randomBytes(4).toString("hex")}.tmp`;
    await mkdir(candidate);
    await writeFile(join(candidate, OWNER_FILE), JSON.stringify(owner));
    try {
      await rename(candidate, lockDir);
      break;
    } catch (error) {
      await rm(candidate, { recursive: true, force: true });
      const code = errnoCode(error);
      if (code !== "ENOTEMPTY" && code !== "EEXIST" && code !== "EPERM") throw error;
    }
    if (await breakIfStale(lockDir, staleMs)) continue;
    if (Date.now() > deadline) {
      const holder = await readOwner(lockDir);
      const who = holder
        ? `pid ${holder.pid} on ${holder.host} since ${holder.since}`
        : "an unknown process";
      fail(
        "registry",
        `the file registry is locked by ${who}. If no vite-rolling command is running there, delete ${lockDir} and retry.`,
        { code: "ERR_REGISTRY_LOCKED" },
      );
    }
    await sleep(wait + Math.random() * wait);
    wait = Math.min(wait * 2, 50);
  }
  const heartbeat = setInterval(
    () => {
      const now = new Date();
      utimes(lockDir, now, now).catch(() => {});
    },
    Math.max(10, Math.floor(staleMs / 3)),
  );
  heartbeat.unref();
  try {
    return await fn({ held: async () => (await readOwner(lockDir))?.token === owner.token });
  } finally {
    clearInterval(heartbeat);
    // Only remove our own lock: if it was taken over (we stalled past staleMs), it is not ours.
    // Rename it away before deleting: emptied in place, the directory could be replaced by a
    // contender's rename (rename(2) may replace an empty directory) while we remove it.
    if ((await readOwner(lockDir))?.token === owner.token) {
      const trash = `${lockDir}.${owner.token}.released`;
      await rename(lockDir, trash);
      await rm(trash, { recursive: true, force: true });
    }
  }
}
