/**
 * Hono 4 adapter: `app.use(viteRolling(vr))`, `app.use(versionRouter(options))`.
 * Translation only; decisions are in src/http/.
 */
import type { Context, HonoRequest, MiddlewareHandler, Next } from "hono";
import type * as http from "../http/contract.js";
import { createHttpCore } from "../http/core.js";
import { createRouting, isAnswer, type VersionRouterFactory } from "../http/routing.js";
import { settle } from "../http/settle.js";
import type { ViteRolling } from "../types.js";

/** What `viteRolling` puts on the context: `c.get("vite")`, `c.get("appVersion")`. */
export interface ViteRollingEnv {
  Variables: {
    vite: http.TemplateHelpers;
    appVersion: string;
    /** Set by hono/secure-headers when a CSP nonce is on; the default nonce source. */
    secureHeadersNonce?: string;
  };
}

export type HonoAdapterOptions = http.AdapterOptions<[c: Context<ViteRollingEnv>]>;

const REQUEST = Symbol("request");

/** A request's headers, looked up one by one as the core or the router asks for them. */
type HeaderLookup = { readonly [REQUEST]: HonoRequest };

/**
 * `c.req.header()` without a name copies every header into a record: on @hono/node-server
 * that materializes a fetch `Headers` from the raw ones and walks it, about half of the CPU
 * the middleware added to a hello-world request (bench figure 4, A/B ~35 of ~70 µs). Off
 * Node, the core's few headers are looked up by name as it reads them.
 */
const HEADER_LOOKUP: ProxyHandler<HeaderLookup> = {
  get: (target, name) => (typeof name === "string" ? target[REQUEST].header(name) : undefined),
};

function facts(c: Context): http.RequestFacts {
  // On @hono/node-server, Node's own parse of the request's headers, the record the other
  // adapters read: c.req.header(name) answers from it too, through a Proxy and a validation
  // per name that cost ~4,000 instructions a request (valgrind, issue 15). They differ only for
  // a repeated header Node keeps once (Authorization, Host, ...): the first, as everywhere
  // else, where c.req.header joins them.
  const headers =
    nodeOf(c)?.incoming?.headers ?? new Proxy<HeaderLookup>({ [REQUEST]: c.req }, HEADER_LOOKUP);
  // c.req.url is absolute; the core reduces it to path and query for redirects.
  return { method: c.req.method, path: c.req.path, url: c.req.url, headers };
}

/** The Host header, read as facts() reads headers. */
function hostOf(c: Context): string | undefined {
  const node = nodeOf(c)?.incoming?.headers;
  if (!node) return c.req.header("host");
  return typeof node.host === "string" ? node.host : undefined;
}

/** What @hono/node-server puts in `c.env`; absent on other runtimes. */
interface NodeEnv {
  incoming?: { httpVersion?: string; headers?: http.RequestFacts["headers"] };
  outgoing?: {
    headersSent?: boolean;
    setHeader?: (name: string, value: string) => unknown;
    writeEarlyHints?: (hints: { link: string[] }) => void;
  };
}

/**
 * @hono/node-server's Node request and response (`c.env`, or `c.env.server` behind another
 * layer, as its own early-hints middleware reads them); undefined on other runtimes.
 */
function nodeOf(c: Context): NodeEnv | undefined {
  const env = (c.env ?? {}) as NodeEnv & { server?: NodeEnv };
  return "server" in env ? env.server : env;
}

/**
 * 103 Early Hints through @hono/node-server's Node response; null on runtimes without one.
 * Bound functions, not closures, as in node.hints: the helpers that keep them are on `c`.
 */
function earlyHintsOf(c: Context): ((links: string[]) => void) | null {
  const node = nodeOf(c);
  const outgoing = node?.outgoing;
  // HTTP/1.0 clients cannot take an interim response (see node.earlyHintsOf).
  if (typeof outgoing?.writeEarlyHints !== "function" || node?.incoming?.httpVersion === "1.0")
    return null;
  return writeEarlyHints.bind(null, outgoing);
}

function writeEarlyHints(outgoing: NonNullable<NodeEnv["outgoing"]>, links: string[]): void {
  if (!outgoing.headersSent) outgoing.writeEarlyHints!({ link: links });
}

/** A response's Content-Encoding, for `core.injectable`. */
function encodingOf(headers: Headers): unknown {
  return headers.get("content-encoding");
}

function appendLink(c: Context, value: string): void {
  c.header("link", value, { append: true });
}

function respond(answer: http.Answer, always: Readonly<Record<string, string>> = {}): Response {
  // A retained file's bytes are a Buffer, which fetch's Response takes as it is.
  const body =
    answer.body === "" ? null : (answer.body as ConstructorParameters<typeof Response>[0]);
  return new Response(body, {
    status: answer.status,
    headers: { ...always, ...answer.headers },
  });
}

/**
 * Sends `X-App-Version` on every response (404s and errors too), serves `/version` and
 * `/cache/bust`, redirects stale htmx / Inertia requests, sets `c.get("vite")` (template
 * helpers) and `c.get("appVersion")`, and injects the version tags into pages sent with
 * `c.html()` (which includes non-streaming `c.render()`); streamed bodies are left alone.
 * Nonce: `options.nonce(c)`, else hono/secure-headers' `secureHeadersNonce`.
 * `c.get("vite").preload(entries)` sends the Link header and, on @hono/node-server, 103 Early
 * Hints (options `linkHeader`, `earlyHints`).
 *
 * @example
 * const app = new Hono<ViteRollingEnv>();
 * app.use(viteRolling(vr));
 * app.get("/", (c) => c.html(`<head>${c.get("vite").styles("src/main.ts")}</head>`));
 */
export function viteRolling(
  vr: ViteRolling,
  options: HonoAdapterOptions = {},
): MiddlewareHandler<ViteRollingEnv> {
  type C = Context<ViteRollingEnv>;
  const core = createHttpCore(vr, options, "hono");
  const source: http.HelperSource<C> = {
    nonce: options.nonce ?? ((c) => c.get("secureHeadersNonce")),
    hints: (c) => ({ link: appendLink.bind(null, c), earlyHints: earlyHintsOf(c) }),
  };
  const answer = (_c: C, _next: Next, a: http.Answer): Promise<Response> =>
    Promise.resolve(respond(a, core.responseHeaders()));
  // c.html's result is a whole string in memory (c.render's streaming mode uses c.body), so
  // rewriting it never buffers a stream. A string is injected before Hono sees it; a JSX node
  // or a promise is rendered by Hono first. c.html is an arrow property, called with or without
  // its object: the replacement is bound to the context and its own `html`, a bound function
  // (node.replaceMethod says why no closure per request).
  function injectingHtml(c: C, html: C["html"], body: unknown, arg?: unknown, headers?: unknown) {
    const call = html as (body: unknown, arg?: unknown, headers?: unknown) => unknown;
    if (typeof body === "string") return call(core.inject(body, source.nonce(c)), arg, headers);
    return Promise.resolve(call(body, arg, headers) as Response | Promise<Response>).then(
      async (res) =>
        core.injectable(res.headers.get("content-type"), res.headers, encodingOf)
          ? new Response(core.inject(await res.text(), source.nonce(c)), res)
          : res,
    );
  }
  function proceed(c: C, next: Next): Promise<void> {
    c.set("vite", core.helpersFor(source, c, hostOf(c)));
    c.set("appVersion", vr.appVersion());
    c.html = injectingHtml.bind(null, c, c.html) as C["html"];
    // On @hono/node-server the header goes on Node's response, before the app: every response
    // written to it carries it (404s and errors too), and the app's Response stays a plain
    // record. Touching `c.res.headers` after next() instead made @hono/node-server build a
    // fetch `Headers` per response and turn it back into a record (profile of bench figure 4's
    // server: Headers getter, set/append, buildOutgoingHttpHeaders, about 3% of its samples).
    // As on Express and Koa, where the header is also set before the app, an X-App-Version of
    // the app's own wins.
    const outgoing = nodeOf(c)?.outgoing;
    if (typeof outgoing?.setHeader === "function" && !outgoing.headersSent) {
      const always = core.responseHeaders();
      for (const name in always) outgoing.setHeader(name, always[name]!);
      return next();
    }
    // Other runtimes: after next(), when Hono has turned a thrown error or a missing route
    // into c.res already.
    return next().then(() => {
      const always = core.responseHeaders();
      for (const name in always) c.res.headers.set(name, always[name]!);
    });
  }
  // Not an async function: on the common path proceed's promise (next()'s) is returned as it
  // is, without another promise resolved with it (two more microtasks per request).
  return function viteRollingMiddleware(c, next) {
    return settle<C, Next, Promise<Response> | Promise<void>>(
      core.handle(facts(c)),
      c,
      next,
      answer,
      proceed,
    );
  };
}

export const versionRouter: VersionRouterFactory<
  MiddlewareHandler<{ Variables: { backendTarget?: string } }>
> = (options) => {
  const route = createRouting(options, "hono");
  return async function versionRouterMiddleware(c, next) {
    const routed = route(facts(c));
    if (isAnswer(routed)) return respond(routed);
    // A fetch Request's headers may be immutable; the context variable is the request side.
    if (routed) c.set("backendTarget", routed.target);
    await next();
    if (!routed) return;
    c.res.headers.set(routed.header, routed.target);
    if (routed.expireCookie) c.res.headers.append("set-cookie", routed.expireCookie);
  };
};
