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

/** Sets each header on the response (node's setHeader; Express's res.set would also work). */
export function setHeaders(res: ServerResponse, headers: Readonly<Record<string, string>>): void {
  for (const name in headers) res.setHeader(name, headers[name]!);
}

/**
 * Preload links on a node response: `Link` appended to the response's headers, early hints
 * through `writeEarlyHints`. No 103 to an HTTP/1.0 client: it cannot know an interim
 * response (RFC 9110 15.2), and nginx proxies with HTTP/1.0 unless told otherwise.
 */
export function hints(req: IncomingMessage, res: ServerResponse): HintSink {
  return {
    link(value) {
      if (!res.headersSent) res.appendHeader("link", value);
    },
    earlyHints:
      typeof res.writeEarlyHints === "function" && req.httpVersion !== "1.0"
        ? (links) => {
            if (!res.headersSent) res.writeEarlyHints({ link: links });
          }
        : null,
  };
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
