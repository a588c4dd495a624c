import type { Environment, Extension } from "nunjucks";
import { describe, fail } from "../errors.js";
import type { TemplateHelpers } from "../http/contract.js";
import type { RenderContext, ViteRolling } from "../types.js";

/** The part of a Nunjucks render context the tags read. */
interface NunjucksContext {
  lookup(name: string): unknown;
}

/** What a tag renders with: the request's helpers, or `vr` with a render context. */
type Target = Pick<
  TemplateHelpers,
  "styles" | "scripts" | "versionTags" | "reactRefresh" | "legacyScripts"
>;

type Render = (target: Target, args: unknown[], build: string | undefined) => string;

const TAGS: Record<string, Render> = {
  vite_styles: (t, args, build) => t.styles(entriesOf("vite_styles", args), build),
  vite_scripts: (t, args, build) => t.scripts(entriesOf("vite_scripts", args), build),
  vite_version: (t) => t.versionTags(),
  vite_react_refresh: (t, _args, build) => t.reactRefresh(build),
  vite_legacy_scripts: (t, args, build) =>
    t.legacyScripts(entriesOf("vite_legacy_scripts", args), build),
};

/**
 * Adds `{% vite_styles "src/main.ts" %}`, `{% vite_scripts "src/main.ts" "src/admin.ts" %}`,
 * `{% vite_version %}`, `{% vite_react_refresh %}` and `{% vite_legacy_scripts "src/main.ts" %}`
 * (the `@vitejs/plugin-legacy` scripts, for the end of `<body>`) to a Nunjucks environment.
 * Names may be separated by spaces or commas.
 *
 * Entries are strings or lists of strings. The host comes from the template variable `host`,
 * else `request.headers.host`, else the adapters' `vite` locals; the CSP nonce from `nonce`,
 * else `cspNonce`, else `vite.nonce()`. Keyword arguments
 * override both: `{% vite_scripts "src/main.ts" nonce=myNonce %}`. With several builds
 * (`combineBuilds`), `build=` names one: `{% vite_scripts "src/admin.ts" build="admin" %}`.
 * Output is marked safe: every value in it is already escaped.
 *
 * When the page renders with an adapter's `vite` helpers (and their host and nonce), the tags
 * render through them, so the request's `Link` header and its one import map see every tag.
 *
 * @example
 * const env = nunjucks.configure("views", { autoescape: true });
 * viteRollingNunjucks(env, vr);
 * res.send(env.render("page.njk", { host: req.headers.host, nonce: res.locals.nonce }));
 */
export function viteRollingNunjucks(env: Environment, vr: ViteRolling): Environment {
  // Nunjucks' own `safe` filter makes a SafeString, so this module needs no runtime import.
  const markSafe = env.getFilter("safe") as (html: string) => unknown;
  const extension: Extension & Record<string, unknown> = {
    tags: Object.keys(TAGS),
    // Django-style names separated by spaces, or by commas as in Nunjucks calls; `name=value`
    // pairs become keyword arguments (parser.parseSignature would insist on commas).
    // biome-ignore lint/suspicious/noExplicitAny: Nunjucks' parser API is untyped.
    parse(parser: any, nodes: any, lexer: any) {
      const token = parser.nextToken();
      const args = new nodes.NodeList(token.lineno, token.colno);
      const keywords = new nodes.KeywordArgs(token.lineno, token.colno);
      for (;;) {
        const next = parser.peekToken();
        if (!next) parser.fail(`unexpected end of template in {% ${token.value} %}`);
        if (next.type === lexer.TOKEN_BLOCK_END) break;
        const arg = parser.parseExpression();
        if (parser.skipValue(lexer.TOKEN_OPERATOR, "=")) {
          keywords.addChild(new nodes.Pair(arg.lineno, arg.colno, arg, parser.parseExpression()));
        } else {
          args.addChild(arg);
        }
        parser.skip(lexer.TOKEN_COMMA);
      }
      if (keywords.children.length > 0) args.addChild(keywords);
      parser.advanceAfterBlockEnd(token.value);
      return new nodes.CallExtension(this, token.value, args);
    },
  };
  for (const [tag, render] of Object.entries(TAGS)) {
    extension[tag] = (context: NunjucksContext, ...args: unknown[]) => {
      const { ctx, rest, bound } = renderContext(context, args);
      const { build, ...plain } = ctx;
      const target: Target = bound ?? {
        styles: (entries, name) => vr.styles(entries, withBuild(plain, name)),
        scripts: (entries, name) => vr.scripts(entries, withBuild(plain, name)),
        versionTags: () => vr.versionTags(plain),
        reactRefresh: (name) => vr.reactRefresh(withBuild(plain, name)),
        legacyScripts: (entries, name) => vr.legacyScripts(entries, withBuild(plain, name)),
      };
      return markSafe(render(target, rest, build));
    };
  }
  env.addExtension("ViteRolling", extension);
  return env;
}

/** Same as `viteRollingNunjucks`. */
export const register = viteRollingNunjucks;

function withBuild(ctx: RenderContext, build: string | undefined): RenderContext {
  return build === undefined ? ctx : { ...ctx, build };
}

/** The render context of a tag, and the request's helpers when they render the same. */
function renderContext(
  context: NunjucksContext,
  args: unknown[],
): { ctx: RenderContext; rest: unknown[]; bound: TemplateHelpers | null } {
  const last = args.at(-1);
  // Nunjucks passes keyword arguments as a trailing object flagged `__keywords`.
  const keywords =
    typeof last === "object" && last !== null && "__keywords" in last
      ? (last as Record<string, unknown>)
      : null;
  const rest = keywords ? args.slice(0, -1) : args;
  const request = context.lookup("request") as { headers?: { host?: unknown } } | undefined;
  // `vite`: the request-bound helpers the framework adapters put in template locals.
  const bound = context.lookup("vite") as Partial<TemplateHelpers> | undefined;
  const host = keywords?.host ?? context.lookup("host") ?? request?.headers?.host ?? bound?.host;
  const nonce =
    keywords?.nonce ??
    context.lookup("nonce") ??
    context.lookup("cspNonce") ??
    (typeof bound?.nonce === "function" ? bound.nonce() : undefined);
  const ctx: RenderContext = {};
  if (typeof host === "string" && host) ctx.host = host;
  if (typeof nonce === "string" && nonce) ctx.nonce = nonce;
  const build = keywords?.build;
  if (build !== undefined) {
    if (typeof build !== "string" || build === "") {
      fail(
        "nunjucks",
        `build= must name a build, like build="admin", received ${describe(build)}.`,
        { code: "ERR_RENDER" },
      );
    }
    ctx.build = build;
  }
  // The helpers render what vr would, only when their host and nonce are the ones chosen here.
  const helpers =
    typeof bound?.preload === "function" &&
    typeof bound.nonce === "function" &&
    (bound.host || undefined) === ctx.host &&
    (bound.nonce() || undefined) === ctx.nonce
      ? (bound as TemplateHelpers)
      : null;
  return { ctx, rest, bound: helpers };
}

function entriesOf(tag: string, args: unknown[]): string[] {
  const entries = args.flat();
  if (entries.length === 0) {
    fail("nunjucks", `{% ${tag} %} needs at least one entry, like {% ${tag} "src/main.ts" %}.`, {
      code: "ERR_RENDER",
    });
  }
  return entries as string[];
}
