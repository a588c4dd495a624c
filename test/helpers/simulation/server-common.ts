/** What both simulated servers share: env reading, the page shape, the IPC handshake, shutdown. */
import type { AddressInfo } from "node:net";
import type { Express } from "express";

/** A required environment variable. */
export function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`simulation server: ${name} is not set`);
  return value;
}

/** The page: tiny on purpose, so the run measures deploy behaviour, not rendering. */
export function page(release: string, styles: string, scripts: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>sim ${release}</title>${styles}</head><body class="main"><p>release ${release}</p>${scripts}</body></html>`;
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
