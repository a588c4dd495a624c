/**
 * Fastify 5 adapter: `await fastify.register(viteRolling(vr))`,
 * `await fastify.register(versionRouter(options))`. Translation only; decisions are in
 * src/http/core.ts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import {
  type AdapterOptions,
  type Answer,
  createHttpCore,
  type TemplateHelpers,
} from "../http/core.js";
import { nodeFacts, nodeHints } from "../http/node-response.js";
import { createRouting, isAnswer, type VersionRouterOptions } from "../http/routing.js";
import type { ViteRolling } from "../types.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Template helpers bound to this request (set by `viteRolling`). */
    vite: TemplateHelpers;
  }
}

export type FastifyAdapterOptions = AdapterOptions<[request: FastifyRequest, reply: FastifyReply]>;

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

function send(reply: FastifyReply, answer: Answer): FastifyReply {
  return reply.code(answer.status).headers(answer.headers).send(answer.body);
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
  function proceed(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
    request.vite = core.helpersFor({
      host: request.headers.host,
      nonce: () => nonceOf(request, reply),
      hints: () => ({
        // Fastify writes the headers it holds over the raw response's: Link goes through it.
        link(value) {
          if (reply.sent || reply.raw.headersSent) return;
          const had = reply.getHeader("link");
          reply.header("link", had ? `${String(had)}, ${value}` : value);
        },
        earlyHints: nodeHints(request.raw, reply.raw).earlyHints,
      }),
    });
    done();
  }
  return appWide("vite-rolling", async function viteRollingPlugin(fastify) {
    // Declared up front (null) so Fastify keeps one request shape; set per request below.
    if (!fastify.hasRequestDecorator(VITE)) fastify.decorateRequest(VITE, null);
    // Callback hooks, not async ones: Fastify chains an async hook's promise through a
    // microtask, two per request here; on the common path both finish synchronously. A/B in
    // bench figure 4: ~6 of the ~14 µs the adapter added to a hello-world request.
    fastify.addHook("onRequest", function viteRollingRequest(request, reply, done) {
      const handled = core.handle(nodeFacts(request.raw));
      if (handled instanceof Promise) {
        handled.then((answer) => {
          if (answer) send(reply, answer);
          else proceed(request, reply, done);
        }, done);
        return;
      }
      if (handled) {
        send(reply, handled);
        return;
      }
      proceed(request, reply, done);
    });
    // onSend runs for every payload, the 404 and error handlers' included.
    fastify.addHook("onSend", function viteRollingSend(request, reply, payload, done) {
      reply.headers(core.responseHeaders());
      if (
        typeof payload !== "string" ||
        !core.injectable(reply.getHeader("content-type"), reply.getHeader("content-encoding"))
      ) {
        done(null, payload);
        return;
      }
      done(null, core.inject(payload, request.vite?.nonce()));
    });
  });
}

/**
 * Blue/green routing, decided by `createVersionRouter`: a request pinned to a live version
 * (header, `?dpl=`, cookie) gets the target header (`x-backend-target`) on the request and the
 * reply;
 * an API or htmx request pinned to a version that is not live is answered 409 with the live
 * versions; a navigation falls back to `defaultVersion` (and a stale pin cookie is expired).
 *
 * @example
 * await fastify.register(versionRouter({ versions: { "v1.0": "blue", "v1.1": "green" }, defaultVersion: "v1.1" }));
 */
export function versionRouter(options: VersionRouterOptions): Plugin {
  const route = createRouting(options, "fastify");
  return appWide("vite-rolling-version-router", async function versionRouterPlugin(fastify) {
    fastify.addHook("onRequest", async (request, reply) => {
      const decision = route(nodeFacts(request.raw));
      if (isAnswer(decision)) return send(reply, decision);
      if (decision) {
        request.headers[decision.header] = decision.target;
        reply.header(decision.header, decision.target);
        // Fastify appends set-cookie values instead of replacing them.
        if (decision.expireCookie) reply.header("set-cookie", decision.expireCookie);
      }
    });
  });
}
