/**
 * The node:http translations the adapters built on `IncomingMessage` / `ServerResponse`
 * (node, Express) share.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Answer, HintSink, RequestFacts } from "./core.js";

/** Request facts of a plain node request; `path` from the URL, without the query. */
export function nodeFacts(req: IncomingMessage, path?: string): RequestFacts {
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
export function sendAnswer(
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
export function nodeHints(req: IncomingMessage, res: ServerResponse): HintSink {
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
