/**
 * The client driver: browsers as a loop. Each virtual browser loads a page through the load
 * balancer, then every asset the page references (stylesheets, modulepreloads, module
 * scripts) and every module those scripts import, statically or lazily (`import("./x.js")`,
 * Vite's preload list), like a browser with an empty cache. Keep-alive HTTP, several browsers
 * at once, until stopped.
 */
import { createHash } from "node:crypto";
import { Agent, type IncomingHttpHeaders, request } from "node:http";
import { BASE, PAGES } from "./pages.js";

/** What one run counts. */
export interface Figures {
  /** HTML pages loaded (attempted). */
  pages: number;
  /** Asset requests made for those pages. */
  assets: number;
  /** Pages whose HTML or some referenced asset did not answer 200 with the right bytes. */
  broken: number;
  /** Pages referencing an asset of another release than the one that rendered the page. */
  mixed: number;
  /** Asset requests answered by an instance of another release than the page's (the risky case). */
  crossServed: number;
  /** Lazy chunks fetched (the page's JS would import them). */
  lazy: number;
  /** Responses with a 5xx status. */
  serverErrors: number;
  /** Requests that got no response (connection errors), after the one retry a browser makes. */
  lost: number;
  /** Requests retried once because the load balancer closed an idle keep-alive connection. */
  retried: number;
}

export function emptyFigures(): Figures {
  return {
    pages: 0,
    assets: 0,
    broken: 0,
    mixed: 0,
    crossServed: 0,
    lazy: 0,
    serverErrors: 0,
    lost: 0,
    retried: 0,
  };
}

/** What the driver knows of the releases: which files are whose, which version is whose. */
export interface ReleaseBook {
  /** Release owning an output file (`assets/main-abc.js`), or undefined. */
  releaseOfFile(file: string): string | undefined;
  /** Whether an output file is a lazily imported chunk. */
  isLazy(file: string): boolean;
  /** Release of an `X-App-Version` value, or undefined. */
  releaseOfVersion(version: string): string | undefined;
  /** Release of the instance at `127.0.0.1:port` (nginx's `$upstream_addr`), or undefined. */
  releaseOfUpstream(address: string): string | undefined;
}

interface Response {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

class Lost extends Error {}

const TAG = /<(link|script)\b([^>]*)>/gi;
const ATTR = /([a-z][a-z0-9-]*)(?:\s*=\s*"([^"]*)")?/gi;
// Imports in built JS: "./shared-abc.js" (relative to the module), and Vite's preload list
// "assets/lazy-abc.js" / "assets/lazy-abc.css" (relative to the base).
const RELATIVE_IMPORT = /["'`](\.\/[\w.-]+\.(?:js|css))["'`]/g;
const BASE_IMPORT = /["'`](assets\/[\w.-]+\.(?:js|css))["'`]/g;
const MARKER = /<p>release ([^<]+)<\/p>/;

function attributes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [, name, value] of text.matchAll(ATTR)) out.set(name!.toLowerCase(), value ?? "");
  return out;
}

/** Asset URLs (with their `integrity`, when given) the page's tags reference. */
export function referencedAssets(html: string): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (const [, tag, rest] of html.matchAll(TAG)) {
    const attrs = attributes(rest!);
    const url = tag!.toLowerCase() === "link" ? attrs.get("href") : attrs.get("src");
    const rel = attrs.get("rel");
    if (!url || (tag!.toLowerCase() === "link" && rel !== "stylesheet" && rel !== "modulepreload"))
      continue;
    out.set(url, attrs.get("integrity") ?? null);
  }
  return out;
}

/** Module URLs a built JS file imports (static and lazy). */
export function importedUrls(js: string, url: string): string[] {
  const dir = url.slice(0, url.lastIndexOf("/") + 1);
  return [
    ...[...js.matchAll(RELATIVE_IMPORT)].map(([, path]) => dir + path!.slice(2)),
    ...[...js.matchAll(BASE_IMPORT)].map(([, path]) => BASE + path!),
  ];
}

function integrityOf(body: Buffer, integrity: string): boolean {
  const [algorithm, expected] = integrity.split("-", 2) as [string, string];
  return createHash(algorithm).update(body).digest("base64") === expected;
}

export interface DriverOptions {
  port: number;
  book: ReleaseBook;
  /** Virtual browsers loading pages at once. @default 12 */
  concurrency?: number;
  /** Asset requests one browser makes at once. @default 6 */
  parallel?: number;
}

/** Runs browsers against `port` until `stop()`; `figures` grow meanwhile. */
export class Driver {
  readonly figures = emptyFigures();
  /** The first few failures, described, for the report. */
  readonly samples: string[] = [];
  readonly #options: Required<DriverOptions>;
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 128 });
  #running = false;
  #loops: Promise<void>[] = [];
  #waiters: { pages: number; resolve: () => void }[] = [];
  #next = 0;

  constructor(options: DriverOptions) {
    this.#options = { concurrency: 12, parallel: 6, ...options };
  }

  start(): void {
    this.#running = true;
    for (let i = 0; i < this.#options.concurrency; i++) this.#loops.push(this.#loop());
  }

  /** Resolves once `count` more pages have loaded (pacing, not timing). */
  pagesMore(count: number): Promise<void> {
    const pages = this.figures.pages + count;
    return new Promise((resolve) => this.#waiters.push({ pages, resolve }));
  }

  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#loops);
    for (const waiter of this.#waiters) waiter.resolve();
    this.#agent.destroy();
  }

  async #loop(): Promise<void> {
    const paths = Object.keys(PAGES);
    while (this.#running) {
      const path = paths[this.#next++ % paths.length]!;
      await this.#page(path);
      this.figures.pages++;
      this.#waiters = this.#waiters.filter((w) => {
        if (this.figures.pages < w.pages) return true;
        w.resolve();
        return false;
      });
    }
  }

  /** Keeps the first three failures of each kind. */
  #sample(kind: "broken" | "mixed" | "lost", text: string): void {
    if (this.samples.filter((s) => s.startsWith(kind)).length < 3) {
      this.samples.push(`${kind}: ${text}`);
    }
  }

  async #page(path: string): Promise<void> {
    const { book } = this.#options;
    const fail = (why: string): void => {
      this.figures.broken++;
      this.#sample("broken", `${path}: ${why}`);
    };
    let html: Response;
    try {
      html = await this.#get(path);
    } catch {
      return fail("no response");
    }
    if (html.status !== 200) return fail(`page answered ${html.status}`);
    const text = html.body.toString("utf8");
    const version = String(html.headers["x-app-version"] ?? "");
    const release = book.releaseOfVersion(version);
    const marker = MARKER.exec(text)?.[1];
    let broken: string | null = null;
    let mixed: string | null =
      release === undefined || release !== marker
        ? `page version "${version}" (release ${release}) vs marker ${marker}`
        : null;
    const seen = new Set<string>();
    const queue = [...referencedAssets(text)];
    for (const [url] of queue) seen.add(url);
    const fetchOne = async ([url, integrity]: [string, string | null]): Promise<void> => {
      this.figures.assets++;
      const file = url.startsWith(BASE) ? url.slice(BASE.length) : url;
      const owner = book.releaseOfFile(file);
      if (owner !== release) mixed ??= `${url} is of release ${owner}, page of ${release}`;
      if (book.isLazy(file)) this.figures.lazy++;
      let answer: Response;
      try {
        answer = await this.#get(url);
      } catch {
        broken ??= `${url}: no response`;
        return;
      }
      // nginx lists every upstream it tried ("a, b"); the last one answered.
      const upstream = String(answer.headers["x-upstream"] ?? "")
        .split(", ")
        .pop()!;
      const servedBy = book.releaseOfUpstream(upstream);
      if (servedBy !== undefined && servedBy !== release) this.figures.crossServed++;
      if (answer.status !== 200) {
        broken ??= `${url} (release ${owner}) answered ${answer.status} from an instance of ${servedBy}, page of ${release}`;
        return;
      }
      if (integrity && !integrityOf(answer.body, integrity)) {
        broken ??= `${url}: bytes do not match integrity ${integrity}`;
        return;
      }
      if (url.endsWith(".js")) {
        for (const next of importedUrls(answer.body.toString("utf8"), url)) {
          if (seen.has(next)) continue;
          seen.add(next);
          queue.push([next, null]);
        }
      }
    };
    // Up to `parallel` requests at once; a worker finishing a script picks up what it imports.
    let index = 0;
    const worker = async (): Promise<void> => {
      while (index < queue.length) await fetchOne(queue[index++]!);
    };
    await Promise.all(Array.from({ length: this.#options.parallel }, worker));
    if (broken) fail(broken);
    if (mixed) {
      this.figures.mixed++;
      this.#sample("mixed", `${path}: ${mixed}`);
    }
  }

  /** GET through the balancer; one retry when a reused keep-alive socket was closed under it. */
  async #get(path: string): Promise<Response> {
    try {
      return await this.#once(path);
    } catch (error) {
      if (!(error instanceof RetryableLoss)) throw this.#lost(path, error);
      this.figures.retried++;
      try {
        return await this.#once(path, false);
      } catch (again) {
        throw this.#lost(path, again);
      }
    }
  }

  #lost(path: string, error: unknown): Lost {
    this.figures.lost++;
    const { code, message } = error as NodeJS.ErrnoException;
    this.#sample("lost", `${path}: ${code ?? message}`);
    return new Lost();
  }

  /** One GET; `reuse` false: on a new connection (the retry's, as the other idle ones may be closing too). */
  #once(path: string, reuse = true): Promise<Response> {
    return new Promise((resolve, reject) => {
      const req = request(
        { host: "127.0.0.1", port: this.#options.port, path, agent: reuse ? this.#agent : false },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => {
            if ((res.statusCode ?? 0) >= 500) this.figures.serverErrors++;
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks),
            });
          });
          res.on("error", reject);
        },
      );
      req.on("error", (error: NodeJS.ErrnoException) => {
        // Node's documented pattern (http.ClientRequest#reusedSocket): the server closed an idle
        // keep-alive socket as the request went out on it. Browsers retry that once too.
        const race = error.code === "ECONNRESET" || error.message === "socket hang up";
        reject(req.reusedSocket && race ? new RetryableLoss(error.message) : error);
      });
      req.end();
    });
  }
}

class RetryableLoss extends Error {}
