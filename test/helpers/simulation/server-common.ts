/**
 * What both simulated servers share: env reading, the pages (htmx 2, boosted links, a
 * load-triggered fragment, a polled fragment, a lazy chunk, a form), the IPC handshake, shutdown.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import express, { type Express } from "express";
import {
  FRAGMENT_PATH,
  HTMX_PATH,
  PAGES,
  type PagePath,
  SUBMIT_PATH,
  type TokenMessage,
} from "./pages.js";

/** A required environment variable. */
export function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`simulation server: ${name} is not set`);
  return value;
}

// Resolved from this module, which runs bundled from another folder (see instances.ts).
const HTMX = readFileSync(createRequire(import.meta.url).resolve("htmx2/dist/htmx.min.js"));

const NAV = (Object.keys(PAGES) as PagePath[])
  .map((path) => `<a id="to-${path.slice(1) || "home"}" href="${path}">${path}</a>`)
  .join(" ");

/** Each page's own part (the driver's actions look for these ids). */
const CONTENT: Record<PagePath, string> = {
  "/": "",
  "/items": "<ul><li>one</li><li>two</li></ul>",
  "/load": `<div id="slot" hx-get="${FRAGMENT_PATH}" hx-trigger="load"></div>`,
  "/poll": `<div id="poller" hx-get="${FRAGMENT_PATH}" hx-trigger="every 1s"></div>`,
  "/form": `<form id="post-form" hx-post="${SUBMIT_PATH}" hx-target="#result"><input id="token" name="token"><button id="send">send</button></form><div id="result"></div>
<form id="draft-form"><input id="draft" name="draft"></form><button id="check" type="button" hx-get="${FRAGMENT_PATH}" hx-target="#slot">check</button><div id="slot"></div>`,
};

/**
 * A page: `head` (the version tags, for the product), the release in a meta tag and in the
 * body (a boosted swap replaces the body only, so the two disagree when htmx swapped another
 * release's page into this document), the entry's tags, htmx; boosted links to every page.
 */
function page(path: PagePath, release: string, head: string, tags: string): string {
  const name = path.slice(1) || "home";
  return `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>sim ${name} ${release}</title>${head}<meta name="sim-release" content="${release}">${tags}<script src="${HTMX_PATH}"></script></head>
<body class="main" hx-boost="true"><p id="release">${release}</p><h1 id="name">${name}</h1><nav>${NAV}</nav>
<button id="lazy" type="button">lazy</button><output id="lazy-out"></output>
${CONTENT[path]}</body></html>`;
}

/** What a server puts in a page of one entry: version tags (or ""), then styles and scripts. */
export type Renderer = (entry: string) => { head: string; tags: string };

/** The app's routes, on `app` after the server's own middleware and static files. */
export function appRoutes(app: Express, release: string, render: Renderer): void {
  app.get(HTMX_PATH, (_req, res) => {
    res.type("text/javascript").setHeader("cache-control", "no-cache");
    res.send(HTMX);
  });
  app.get(FRAGMENT_PATH, (_req, res) => {
    res.send(`<p id="frag" data-release="${release}">fragment of ${release}</p>`);
  });
  app.post(SUBMIT_PATH, express.urlencoded({ extended: false }), (req, res) => {
    const token = String((req.body as Record<string, unknown>)?.token ?? "");
    const message: TokenMessage = { token };
    process.send?.(message);
    res.send(`<p id="got">got ${token.replace(/[^\w-]/g, "")}</p>`);
  });
  for (const [path, entry] of Object.entries(PAGES) as [PagePath, string][]) {
    app.get(path, (_req, res) => {
      const { head, tags } = render(entry);
      res.send(page(path, release, head, tags));
    });
  }
}

/** Message an instance sends its parent once it listens. */
export interface ReadyMessage {
  ready: true;
  port: number;
  version: string;
}

export function announce(port: number, version: string): void {
  const message: ReadyMessage = { ready: true, port, version };
  process.send?.(message);
}

/**
 * Listens on a free loopback port; on SIGTERM stops accepting, lets in-flight requests finish,
 * runs `close`, exits 0 (a rolling deploy's graceful stop).
 */
export function serveUntilSignal(app: Express, close: () => Promise<void>): Promise<number> {
  return new Promise((resolve) => {
    const server = app.listen(0, "127.0.0.1", () => {
      resolve((server.address() as AddressInfo).port);
    });
    // nginx holds idle upstream keep-alive connections; close them so the drain ends.
    server.keepAliveTimeout = 5000;
    process.once("SIGTERM", () => {
      server.close(() => {
        close().finally(() => process.exit(0));
      });
      server.closeIdleConnections();
    });
    process.once("disconnect", () => process.exit(0));
  });
}
