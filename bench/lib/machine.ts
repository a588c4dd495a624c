import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, freemem, loadavg, release, totalmem, type } from "node:os";
import { join } from "node:path";
import { ROOT } from "./paths.js";

/** The machine and software a run measured on; printed first and written into RESULTS.md. */
export interface MachineInfo {
  date: string;
  cpu: string;
  cores: number;
  memoryGb: number;
  freeMemoryGb: number;
  os: string;
  node: string;
  vite: string;
  /** 1-minute load average when the run started: a busy machine makes every figure noisier. */
  load: number;
  commit: string;
}

function git(args: string[]): string {
  try {
    return execFileSync("git", args, {
      cwd: ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return "";
  }
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  const commit = git(["rev-parse", "--short", "HEAD"]) || "unknown";
  const dirty = git(["status", "--porcelain", "--", "src"]) !== "";
  let vite = "unknown";
  try {
    vite = JSON.parse(readFileSync(join(ROOT, "node_modules/vite/package.json"), "utf8")).version;
  } catch {}
  return {
    date: new Date().toISOString(),
    cpu: list[0]?.model.trim() ?? "unknown CPU",
    cores: list.length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    freeMemoryGb: Math.round(freemem() / 2 ** 30),
    os: `${type()} ${release()} ${process.arch}`,
    node: process.version,
    vite,
    load: loadavg()[0] ?? 0,
    commit: dirty ? `${commit} + uncommitted src changes` : commit,
  };
}

export function machineLine(m: MachineInfo): string {
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB RAM · ${m.os} · Node ${m.node} · Vite ${m.vite} · load ${m.load.toFixed(2)} at start`;
}
