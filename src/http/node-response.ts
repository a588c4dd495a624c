/**
 * The node:http translations the adapters built on `IncomingMessage` / `ServerResponse`
 * (node, Express; Fastify and Koa for early hints) share. Imported as a namespace:
 * `node.facts(req)`, `node.send(res, answer)`.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Answer, HelperSource, HintSink, RequestFacts } from "./contract.js";
import { isAnswer, type Routing } from "./routing.js";

/** Request facts of a plain node request; `path` from the URL, without the query. */
export function facts(req: IncomingMessage, path?: string): RequestFacts {
  const url = req.url ?? "/";
  const query = url.indexOf("?");
  return {
    method: req.method ?? "GET",
    path: path ?? (query < 0 ? url : url.slice(0, query)),
    url,
    headers: req.headers,
  };
}

/** Sends an answer; `always` are the headers every response carries. */
export function send(
  res: ServerResponse,
  answer: Answer,
  always: Readonly<Record<string, string>>,
): void {
  res.writeHead(answer.status, { ...always, ...answer.headers });
  // Node computes Content-Length for a one-shot end(), and drops the body of a HEAD.
  res.end(answer.body);
}

/**
 * Replaces one method of a request's object (`res.end`, `res.send`) with `replacement`, made
 * once per middleware, and keeps the replaced method under `key` on the object, where the
 * replacement, called as a method, finds it. Never a function made per request and stored on
 * the object it closes over: V8's young-generation GC keeps such a closure cycle alive, and
 * with it the whole request (bench figure 4's node server under --trace-gc: 12 MB surviving
 * each scavenge against 6 MB without the middleware; Hono's, where `c.html` was wrapped so,
 * 43 MB and full GCs). A bound function or a property holds no scope and is collected young.
 */
export function replaceMethod<Target extends object, Name extends keyof Target>(
  target: Target,
  name: Name,
  key: symbol,
  replacement: Target[Name],
): void {
  (target as Record<symbol, unknown>)[key] = target[name];
  target[name] = replacement;
}

/** The response's Content-Encoding, for `core.injectable` (Express's response is a node one). */
export function encodingOf(res: ServerResponse): unknown {
  return res.getHeader("content-encoding");
}

/** Sets each header on the response (node's setHeader; Express's res.set would also work). */
export function setHeaders(res: ServerResponse, headers: Readonly<Record<string, string>>): void {
  for (const name in headers) res.setHeader(name, headers[name]!);
}

/**
 * Preload links on a node response: `Link` appended to the response's headers, early hints
 * through `writeEarlyHints`. Bound functions, not closures: the sink is kept by the request's
 * helpers, which the response holds (see replaceMethod).
 */
export function hints(req: IncomingMessage, res: ServerResponse): HintSink {
  return { link: appendLink.bind(null, res), earlyHints: earlyHintsOf(req, res) };
}

function appendLink(res: ServerResponse, value: string): void {
  if (!res.headersSent) res.appendHeader("link", value);
}

/**
 * 103 Early Hints on a node response; null without `writeEarlyHints`, or to an HTTP/1.0 client:
 * it cannot know an interim response (RFC 9110 15.2), and nginx proxies with HTTP/1.0 unless
 * told otherwise.
 */
export function earlyHintsOf(
  req: IncomingMessage,
  res: ServerResponse,
): ((links: string[]) => void) | null {
  return typeof res.writeEarlyHints === "function" && req.httpVersion !== "1.0"
    ? writeEarlyHints.bind(null, res)
    : null;
}

function writeEarlyHints(res: ServerResponse, links: string[]): void {
  if (!res.headersSent) res.writeEarlyHints({ link: links });
}

/** The helpers' source keyed by the response (`res.req` is its request), made once. */
export function helperSource<Res extends ServerResponse>(
  nonceOf: (req: Res["req"], res: Res) => string | undefined,
): HelperSource<Res> {
  return { nonce: (res) => nonceOf(res.req, res), hints: (res) => hints(res.req, res) };
}

/**
 * Applies one routing result: the 409 is sent (false: stop), or the target header is set on
 * the request and the response, a dead pin cookie expired (true: continue).
 */
export function applyRouting(
  route: Routing,
  req: IncomingMessage,
  res: ServerResponse,
  path?: string,
): boolean {
  const routed = route(facts(req, path));
  if (isAnswer(routed)) {
    send(res, routed, {});
    return false;
  }
  if (routed) {
    req.headers[routed.header] = routed.target;
    res.setHeader(routed.header, routed.target);
    if (routed.expireCookie) res.appendHeader("set-cookie", routed.expireCookie);
  }
  return true;
}
