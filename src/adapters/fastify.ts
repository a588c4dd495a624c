/**
 * Fastify 5 adapter: `await fastify.register(viteRolling(vr))`,
 * `await fastify.register(versionRouter(options))`. Translation only; decisions are in
 * src/http/.
 */
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
} from "fastify";
import type * as http from "../http/contract.js";
import { createHttpCore } from "../http/core.js";
import * as node from "../http/node-response.js";
import { createRouting, isAnswer, type VersionRouterFactory } from "../http/routing.js";
import { settle } from "../http/settle.js";
import type { ViteRolling } from "../types.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Template helpers bound to this request (set by `viteRolling`). */
    vite: http.TemplateHelpers;
  }
}

export type FastifyAdapterOptions = http.AdapterOptions<
  [request: FastifyRequest, reply: FastifyReply]
>;

/** Typed `string` so the null placeholder type-checks against the augmented property. */
const VITE: string = "vite";

type Plugin = (fastify: FastifyInstance) => Promise<void>;

/**
 * Hooks registered by a plugin marked "skip-override" apply to the whole app, not only to
 * the plugin's encapsulated context (what fastify-plugin does, without the dependency).
 */
function appWide(name: string, plugin: Plugin): Plugin {
  return Object.assign(plugin, {
    [Symbol.for("skip-override")]: true,
    [Symbol.for("fastify.display-name")]: name,
  });
}

/** Fastify writes the headers it holds over the raw response's: Link goes through it. */
function appendLink(reply: FastifyReply, value: string): void {
  if (reply.sent || reply.raw.headersSent) return;
  const had = reply.getHeader("link");
  reply.header("link", had ? `${String(had)}, ${value}` : value);
}

function send(reply: FastifyReply, answer: http.Answer): FastifyReply {
  return reply.code(answer.status).headers(answer.headers).send(answer.body);
}

/** The reply's Content-Encoding, for `core.injectable`. */
function encodingOf(reply: FastifyReply): unknown {
  return reply.getHeader("content-encoding");
}

/**
 * Sends `X-App-Version` on every response (404s and errors too), serves `/version` and
 * `/cache/bust`, redirects stale htmx / Inertia requests, sets `request.vite` (template
 * helpers), and injects the version tags into string `text/html` payloads. Nonce:
 * `options.nonce(request, reply)`, else `reply.cspNonce.script` (@fastify/helmet).
 * `request.vite.preload(entries)` sends 103 Early Hints / the Link header (options
 * `earlyHints`, `linkHeader`).
 *
 * @example
 * await fastify.register(viteRolling(vr));
 * fastify.get("/", (request, reply) =>
 *   reply.type("text/html").send(`<head>${request.vite.styles("src/main.ts")}</head>`));
 */
export function viteRolling(vr: ViteRolling, options: FastifyAdapterOptions = {}): Plugin {
  const core = createHttpCore(vr, options, "fastify");
  const nonceOf =
    options.nonce ??
    ((_request: FastifyRequest, reply: FastifyReply) =>
      (reply as { cspNonce?: { script?: string } }).cspNonce?.script);
  // Keyed by the reply (reply.request is its request): the helpers hold one object.
  const source: http.HelperSource<FastifyReply> = {
    nonce: (reply) => nonceOf(reply.request, reply),
    hints: (reply) => ({
      link: appendLink.bind(null, reply),
      earlyHints: node.earlyHintsOf(reply.request.raw, reply.raw),
    }),
  };
  // An answer is sent without done(): the reply is complete.
  const answer = (reply: FastifyReply, _done: HookHandlerDoneFunction, a: http.Answer): void =>
    void send(reply, a);
  function proceed(reply: FastifyReply, done: HookHandlerDoneFunction): void {
    reply.request.vite = core.helpersFor(source, reply, reply.request.headers.host);
    done();
  }
  return appWide("vite-rolling", async function viteRollingPlugin(fastify) {
    // Declared up front (null) so Fastify keeps one request shape; set per request below.
    if (!fastify.hasRequestDecorator(VITE)) fastify.decorateRequest(VITE, null);
    // Callback hooks, not async ones: Fastify chains an async hook's promise through a
    // microtask, two per request here; on the common path both finish synchronously. A/B in
    // bench figure 4: ~6 of the ~14 µs the adapter added to a hello-world request.
    fastify.addHook("onRequest", function viteRollingRequest(request, reply, done) {
      const settled = settle(core.handle(node.facts(request.raw)), reply, done, answer, proceed);
      if (settled instanceof Promise) settled.catch(done);
    });
    // onSend runs for every payload, the 404 and error handlers' included.
    fastify.addHook("onSend", function viteRollingSend(request, reply, payload, done) {
      // Names already in lower case, as Fastify stores them: no allocation per request.
      const always = core.responseHeaders();
      for (const name in always) reply.header(name, always[name]!);
      if (
        typeof payload !== "string" ||
        !core.injectable(reply.getHeader("content-type"), reply, encodingOf)
      ) {
        done(null, payload);
        return;
      }
      done(null, core.inject(payload, request.vite?.nonce()));
    });
  });
}

export const versionRouter: VersionRouterFactory<Plugin> = (options) => {
  const route = createRouting(options, "fastify");
  return appWide("vite-rolling-version-router", async function versionRouterPlugin(fastify) {
    fastify.addHook("onRequest", async (request, reply) => {
      const routed = route(node.facts(request.raw));
      if (isAnswer(routed)) return send(reply, routed);
      if (routed) {
        request.headers[routed.header] = routed.target;
        reply.header(routed.header, routed.target);
        // Fastify appends set-cookie values instead of replacing them.
        if (routed.expireCookie) reply.header("set-cookie", routed.expireCookie);
      }
    });
  });
};
