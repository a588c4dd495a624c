/** Process facts from /proc (Linux), for waiting on processes this code started. */
import { readFile } from "node:fs/promises";

/** Direct children of `pid`. */
export async function childPids(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, "utf8").catch(() => "");
  return text.trim().split(/\s+/).filter(Boolean).map(Number);
}

/** Every descendant of `pid`. */
export async function descendantPids(pid: number): Promise<number[]> {
  const children = await childPids(pid);
  const nested = await Promise.all(children.map(descendantPids));
  return [...children, ...nested.flat()];
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
