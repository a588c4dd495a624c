import {
  type NginxConfigOptions,
  nginxConfig,
  type ProxyRelease,
} from "../../deploy/proxy-config.js";
import { fail } from "../../errors.js";
import { openRegistry } from "../../registry/connect.js";
import type { Command, ParsedArgs } from "../command.js";
import { loadCliOptions, REGISTRY_FLAGS_HELP } from "../config.js";

/** This command's own flags (the registry flags come from `loadCliOptions`). */
const FLAGS = [
  "default",
  "canary",
  "listen",
  "upstream",
  "header",
  "query",
  "cookie",
  "server-name",
  "release-header",
] as const;

function flag(args: ParsedArgs, name: (typeof FLAGS)[number]): string | undefined {
  const value = args.flags[name];
  if (value === true)
    fail("proxy-config", `--${name} needs a value; see vite-rolling proxy-config --help.`, {
      code: "ERR_CLI_USAGE",
    });
  return value;
}

/** `A=127.0.0.1:3001,B=backend_b` (flags repeat as "last wins", so one flag takes a list). */
export function parseUpstreams(value: string): ProxyRelease[] {
  return value
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const eq = part.indexOf("=");
      if (eq <= 0 || eq === part.length - 1) {
        fail(
          "proxy-config",
          `--upstream takes RELEASE=host:port[,RELEASE=host:port...], received ${JSON.stringify(part)}.`,
          { code: "ERR_CLI_USAGE" },
        );
      }
      return { release: part.slice(0, eq), upstream: part.slice(eq + 1) };
    });
}

/** `B:10` -> { release: "B", percent: 10 }. */
export function parseCanary(value: string): { release: string; percent: number } {
  const match = /^(.+):(\d+(?:\.\d{1,2})?)%?$/.exec(value);
  if (!match) {
    fail(
      "proxy-config",
      `--canary takes RELEASE:PERCENT (e.g. v42:10), received ${JSON.stringify(value)}.`,
      { code: "ERR_CLI_USAGE" },
    );
  }
  return { release: match[1]!, percent: Number(match[2]) };
}

/** `vite-rolling proxy-config nginx`: nginx config routing pinned and canary traffic by release. */
export const proxyConfigCommand: Command = {
  name: "proxy-config",
  summary: "print nginx config routing requests to releases (pins, default, canary)",
  usage: `Usage: vite-rolling proxy-config nginx [flags] > /etc/nginx/conf.d/app.conf

Prints nginx config to include inside http {}: one upstream per release, maps choosing the
release from the X-App-Requested-Version header, then ?dpl=, then the app_version cookie,
else the default (or a canary share), and a server proxying there. Responses carry
X-Release: <release that served>. Unknown pins fall through to the default.

Releases come from --upstream, else from the registry (releases registered with an upstream,
e.g. \`vite-rolling refresh --upstream host:port\`). The default is --default, else the
newest registered release with an upstream, else the first --upstream.

  --upstream R=host:port[,R2=host:port]  releases and their backends (host:port, [v6]:port,
                               unix:/path.sock, or the name of an upstream block you define)
  --default <release>          release for unpinned requests and unknown pins
  --canary <release>:<pct>     send pct% of unpinned clients to release (sticky per client)
  --listen <port|addr:port>    listen address of the server block (default 80)
  --server-name <name>         server_name (default _)
  --header <name>              pin header (default x-app-requested-version)
  --query <name>               pin query parameter (default dpl)
  --cookie <name>              pin cookie (default app_version)
  --release-header <name>      response header naming the release (default X-Release)

Example:
  vite-rolling proxy-config nginx --upstream blue=10.0.0.5:3000,green=10.0.0.6:3000 \\
    --default blue --canary green:10 --listen 8080

${REGISTRY_FLAGS_HELP}`,
  async run(args, io) {
    const [target = "nginx", ...extra] = args.positionals;
    if (target !== "nginx" || extra.length > 0) {
      io.err(
        `vite-rolling proxy-config: unknown proxy ${JSON.stringify([target, ...extra].join(" "))}: only "nginx" is supported (vite-rolling proxy-config nginx).`,
      );
      return 2;
    }
    const { options } = await loadCliOptions(args, io, { name: "proxy-config", flags: FLAGS });
    // Every flag is read (and checked) before the registry is touched.
    const upstreamFlag = flag(args, "upstream");
    const canary = flag(args, "canary");
    const config: Omit<NginxConfigOptions, "releases" | "defaultRelease"> = {
      canary: canary === undefined ? null : parseCanary(canary),
      listen: flag(args, "listen") ?? 80,
    };
    const names = {
      header: "header",
      query: "query",
      cookie: "cookie",
      "server-name": "serverName",
      "release-header": "releaseHeader",
    } as const;
    for (const [name, key] of Object.entries(names) as [
      keyof typeof names,
      (typeof names)[keyof typeof names],
    ][]) {
      const value = flag(args, name);
      if (value !== undefined) config[key] = value;
    }
    const defaultFlag = flag(args, "default");
    let releases: ProxyRelease[];
    if (upstreamFlag !== undefined) {
      releases = parseUpstreams(upstreamFlag);
    } else {
      const registry = openRegistry(options, io.cwd);
      try {
        const infos = await registry.releases();
        releases = infos.flatMap((info) =>
          info.upstream ? [{ release: info.release, upstream: info.upstream }] : [],
        );
        if (releases.length === 0) {
          io.err(
            `vite-rolling proxy-config: ${registry.location} has no release with an upstream (${infos.length} release(s) in all): register them with \`vite-rolling refresh --upstream host:port\` or pass --upstream RELEASE=host:port.`,
          );
          return 1;
        }
      } finally {
        await registry.close();
      }
    }
    // Registry releases come current first, so [0] is the newest release with an upstream.
    const defaultRelease = defaultFlag ?? releases[0]?.release ?? "";
    io.out(nginxConfig({ ...config, releases, defaultRelease }).trimEnd());
    return 0;
  },
};

export default proxyConfigCommand;
