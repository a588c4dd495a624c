import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, fail, type Logger } from "../errors.js";
import {
  DEFAULTS,
  optionsFromEnv,
  type ResolvedOptions,
  resolveOptions,
  type ViteRollingOptions,
} from "../options.js";
import { closest } from "../util/closest.js";
import { jsonSyntaxError } from "../util/json-syntax-error.js";
import { kebab, SWITCHES } from "./args.js";
import type { CliIO, ParsedArgs } from "./command.js";

/** Config files looked for in the cwd, in this order, when `--config` is not given. */
export const CONFIG_FILES = [
  "vite-rolling.config.js",
  "vite-rolling.config.mjs",
  "vite-rolling.config.json",
] as const;

/** Where `refresh` looks for the manifest when neither a flag nor the config names it: Vite's default. */
export const DEFAULT_MANIFEST_PATH = "dist/.vite/manifest.json";

type OptionName = keyof ViteRollingOptions;
type Kind = "string" | "number" | "boolean" | "prefetch";

// Options a flag can set: every option holding a plain value (not a function or an object).
const FLAG_OPTIONS = new Map<string, { option: OptionName; kind: Kind }>();
for (const [option, value] of Object.entries({ manifestPath: "", dev: false, ...DEFAULTS })) {
  if (option === "attributes") continue;
  const kind: Kind =
    option === "prefetch"
      ? "prefetch"
      : typeof value === "number"
        ? "number"
        : typeof value === "boolean"
          ? "boolean"
          : "string";
  FLAG_OPTIONS.set(kebab(option), { option: option as OptionName, kind });
}

/** Every flag that takes no value: the generic switches and the boolean options. */
export const CLI_SWITCHES: ReadonlySet<string> = new Set([
  ...SWITCHES,
  ...[...FLAG_OPTIONS].filter(([, { kind }]) => kind === "boolean").map(([flag]) => flag),
]);

/** `--help` lines of the flags every registry command reads. */
export const REGISTRY_FLAGS_HELP = `Registry (flags > env > config file > defaults):
  --config <file>              config file (default: vite-rolling.config.{js,mjs,json} in the cwd)
  --redis <url>                Redis URL (env REDIS_URL); without one, the file registry
  --registry-dir <dir>         file registry directory (default ${DEFAULTS.registryDir})
  --cache-key-prefix <prefix>  registry key prefix (default ${DEFAULTS.cacheKeyPrefix})
  --versions-redis-key <name>  name of the list of releases (default ${DEFAULTS.versionsRedisKey})
  --versions-to-keep <n>       releases kept live (default ${DEFAULTS.versionsToKeep})
  --versions-max-age <seconds> also keep releases registered less than this long ago
                               (env VITE_ROLLING_VERSIONS_MAX_AGE; default ${DEFAULTS.versionsMaxAge}: off)
  --help                       this text`;

/** What `loadCliOptions` needs to know about the command calling it. */
export interface CliCommandInfo {
  /** Command name, for warnings: `vite-rolling <name>: warning: ...`. */
  name: string;
  /** The command's own flags (beyond the option flags, `--config` and `--help`). */
  flags?: readonly string[];
}

function coerce(flag: string, kind: Kind, value: string | true): unknown {
  const negated = flag.startsWith("no-");
  if (kind === "boolean") {
    if (value === true) return !negated;
    if (/^(true|1|yes)$/i.test(value)) return !negated;
    if (/^(false|0|no)$/i.test(value)) return negated;
    fail("cli", `--${flag} is true or false, received ${JSON.stringify(value)}.`, {
      code: "ERR_CLI_USAGE",
    });
  }
  if (value === true)
    fail("cli", `--${flag} needs a value: --${flag} <value>.`, { code: "ERR_CLI_USAGE" });
  if (kind === "number") {
    if (!/^\d+$/.test(value)) {
      fail("cli", `--${flag} must be a whole number, received ${JSON.stringify(value)}.`, {
        code: "ERR_CLI_USAGE",
      });
    }
    return Number(value);
  }
  if (kind === "prefetch" && value === "false") return false;
  return value;
}

/** The config file to read: `--config`, else the first of CONFIG_FILES in cwd, else none. */
function findConfig(args: ParsedArgs, cwd: string): string | null {
  const flag = args.flags.config;
  if (flag === true)
    fail("cli", "--config needs a file: --config vite-rolling.config.js.", {
      code: "ERR_CLI_USAGE",
    });
  if (flag !== undefined) {
    const path = resolve(cwd, flag);
    if (!existsSync(path))
      fail("cli", `config file ${path} does not exist; fix --config.`, { code: "ERR_CLI_CONFIG" });
    return path;
  }
  for (const name of CONFIG_FILES) {
    const path = resolve(cwd, name);
    if (existsSync(path)) return path;
  }
  return null;
}

async function readConfig(path: string, env: NodeJS.ProcessEnv): Promise<Record<string, unknown>> {
  let value: unknown;
  if (path.endsWith(".json")) {
    const raw = await readFile(path, "utf8");
    // A BOM is not JSON, but editors add one (the manifest reader skips it too).
    const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
    try {
      value = JSON.parse(text);
    } catch (error) {
      fail("cli", `config file ${path} is not valid JSON: ${jsonSyntaxError(text)}.`, {
        cause: error,
        code: "ERR_CLI_CONFIG",
      });
    }
  } else {
    let mod: { default?: unknown };
    try {
      mod = await import(pathToFileURL(path).href);
    } catch (error) {
      const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
      fail("cli", `cannot load config file ${path} (${reason}).`, {
        cause: error,
        code: "ERR_CLI_CONFIG",
      });
    }
    value = mod.default;
    if (value === undefined) {
      fail(
        "cli",
        `config file ${path} has no default export: write \`export default { manifestPath: "dist/.vite/manifest.json" }\`.`,
        { code: "ERR_CLI_CONFIG" },
      );
    }
    if (typeof value === "function") value = await value({ env });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail("cli", `config file ${path} must export an options object, received ${describe(value)}.`, {
      code: "ERR_CLI_CONFIG",
    });
  }
  return { ...value };
}

/**
 * Resolves the options a command runs with. Precedence: flags > env (`RELEASE_VERSION` or the
 * variable `versionSetting` names, `REDIS_URL`, `APP_VERSION`, `SECRET_KEY`) > the config file
 * (`--config`, else `vite-rolling.config.{js,mjs,json}` in the cwd) > defaults. Unknown flags
 * and ill-typed values are errors naming the flag.
 */
export async function loadCliOptions(
  args: ParsedArgs,
  io: CliIO,
  command: CliCommandInfo,
): Promise<{ options: ResolvedOptions; configPath: string | null }> {
  const own = new Set(["config", "help", "h", ...(command.flags ?? [])]);
  const fromFlags: Partial<Record<OptionName, unknown>> = {};
  for (const [flag, value] of Object.entries(args.flags)) {
    if (own.has(flag)) continue;
    const spec = FLAG_OPTIONS.get(flag) ?? FLAG_OPTIONS.get(flag.replace(/^no-/, ""));
    if (!spec || (flag.startsWith("no-") && spec.kind !== "boolean")) {
      const known = [...own, ...FLAG_OPTIONS.keys()].filter((name) => name.length > 1);
      const [near] = closest(flag, known, 1);
      fail(
        "cli",
        `unknown flag --${flag}${near ? ` (did you mean --${near}?)` : ""}; see vite-rolling ${command.name} --help.`,
        { code: "ERR_CLI_USAGE" },
      );
    }
    fromFlags[spec.option] = coerce(flag, spec.kind, value);
  }

  const configPath = findConfig(args, io.cwd);
  const merged: Partial<Record<OptionName, unknown>> = configPath
    ? await readConfig(configPath, io.env)
    : {};

  const versionSetting =
    fromFlags.versionSetting ?? merged.versionSetting ?? DEFAULTS.versionSetting;
  // Flags win over the environment, which wins over the config file.
  Object.assign(merged, optionsFromEnv(io.env, String(versionSetting)), fromFlags);
  const manifestPath = merged.manifestPath ?? DEFAULT_MANIFEST_PATH;
  const logger: Logger = {
    warn: (message) => io.err(`vite-rolling ${command.name}: warning: ${oneLine(message)}`),
  };
  merged.logger ??= logger;
  return {
    options: resolveOptions({ ...merged, manifestPath } as ViteRollingOptions, io.env),
    configPath,
  };
}

/** A message as one line without the library's `[vite-rolling] [scope]` prefix. */
export function oneLine(message: string): string {
  return message
    .replace(/^\[vite-rolling\] \[[^\]]+\] /, "")
    .replace(/\s*\n\s*/g, " ")
    .trim();
}
