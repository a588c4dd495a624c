/**
 * One simulated user's browser tab, observed from inside: a script added to every document
 * reports, through a binding, the document's start, its release (meta tag), every asset it
 * fetched (Resource Timing, with the status) and every failed asset or uncaught error, each
 * tagged with the document's own id. So every asset is judged against the document that
 * asked for it, however fast the tab reloads; no attribution by timing.
 */
import type { BrowserContext, Page } from "playwright-core";
import type { Journal, LoadRecord } from "./journal.js";
import { BASE, HTMX_PATH, SUBMIT_PATH } from "./pages.js";

/** What the driver knows of the releases. */
export interface ReleaseBook {
  /** Release owning an output file (`assets/main-abc.js`), or undefined. */
  releaseOfFile(file: string): string | undefined;
  /** Whether an output file is a lazily imported chunk. */
  isLazy(file: string): boolean;
  /** Release of the instance at `127.0.0.1:port` (nginx's `$upstream_addr`), or undefined. */
  releaseOfUpstream(address: string): string | undefined;
}

/** A POST that left a browser: who sent it, when, and what came back (for a lost one's story). */
export interface SentPost {
  user: number;
  /** `journal.now()` when it left. */
  at: number;
  /** "200 from 127.0.0.1:port", "failed: net::ERR_...", or "no answer". */
  answer: string;
}

/** A report from a document (see `observe`). */
type Report =
  | { d: string; k: "start"; u: string }
  | { d: string; k: "ready"; r: string | null }
  | { d: string; k: "res"; n: string; s: number }
  | { d: string; k: "fail"; n: string }
  | { d: string; k: "err"; m: string };

/**
 * Runs in every document, before its own scripts (a Playwright init script). Plain JavaScript
 * in a string: a transpiled function could reference the transpiler's helpers.
 * `guardPrefix`: the negative control; the stale-client script's loop guard finds none of its
 * sessionStorage keys (however it reads them), so it never sees an earlier load.
 */
function observer(guardPrefix: string | null): string {
  return `(() => {
  if (window.top !== window || !location.protocol.startsWith("http")) return;
  const id = Math.random().toString(36).slice(2);
  const send = (report) => { try { window.__sim({ d: id, ...report }); } catch {} };
  send({ k: "start", u: location.href });
  const guardPrefix = ${JSON.stringify(guardPrefix)};
  if (guardPrefix) {
    const real = window.sessionStorage;
    const hidden = (key) => typeof key === "string" && key.startsWith(guardPrefix);
    const proxy = new Proxy(real, {
      get(target, key) {
        if (hidden(key)) return undefined;
        if (key === "getItem") return (name) => (hidden(name) ? null : target.getItem(name));
        if (key === "setItem") return (name, value) => { if (!hidden(name)) target.setItem(name, value); };
        const value = Reflect.get(target, key);
        return typeof value === "function" ? value.bind(target) : value;
      },
      set(target, key, value) {
        if (!hidden(key)) target[key] = value;
        return true;
      },
    });
    Object.defineProperty(window, "sessionStorage", { get: () => proxy, configurable: true });
  }
  document.addEventListener("DOMContentLoaded", () => {
    const meta = document.querySelector('meta[name="sim-release"]');
    send({ k: "ready", r: meta ? meta.content : null });
  });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) send({ k: "res", n: entry.name, s: entry.responseStatus || 0 });
  }).observe({ type: "resource", buffered: true });
  addEventListener("error", (event) => {
    const target = event.target;
    const url = target && target !== window ? target.src || target.href : "";
    send(url ? { k: "fail", n: url } : { k: "err", m: String(event.message) });
  }, true);
  addEventListener("unhandledrejection", (event) => {
    send({ k: "err", m: String((event.reason && event.reason.message) || event.reason) });
  });
  document.addEventListener("htmx:afterRequest", (event) => {
    if (event.detail && event.detail.elt && event.detail.elt.id === "poller")
      window.__simPolls = (window.__simPolls || 0) + 1;
  });
})();`;
}

/** One document's record. */
interface Doc {
  id: string;
  load: LoadRecord;
  /** Asset URLs seen before the release was known. */
  pending: string[];
  broken: boolean;
  mixed: boolean;
}

const MODULE_ERROR = /module script|dynamically imported module|preload css/i;

export class Tab {
  readonly page: Page;
  /** The document now shown (the last one that started). */
  current: Doc | null = null;
  /** The stale-client script's last console warning (why it did not reload), for details. */
  lastScriptWarning = "";
  /** `journal.now()` of the last document start. */
  lastStart = 0;
  /** Documents started during the current action, and how many of them the user started. */
  actionLoads: LoadRecord[] = [];
  #userLoads = 0;
  #action = "open";
  readonly #docs = new Map<string, Doc>();

  private constructor(
    readonly user: number,
    page: Page,
    readonly journal: Journal,
    readonly book: ReleaseBook,
  ) {
    this.page = page;
  }

  /**
   * Observes `context` and opens its one page; `guardPrefix`: the stale-client guard's key prefix
   * to hide (the negative control), or null. `sent`: token -> its story, of every POST sent.
   */
  static async open(
    context: BrowserContext,
    user: number,
    journal: Journal,
    book: ReleaseBook,
    guardPrefix: string | null,
    sent: Map<string, SentPost>,
  ): Promise<Tab> {
    let tab: Tab | null = null;
    await context.exposeBinding("__sim", ({ frame }, report: Report) => {
      if (tab && frame === tab.page.mainFrame()) tab.#report(report);
    });
    await context.addInitScript({ content: observer(guardPrefix) });
    const page = await context.newPage();
    tab = new Tab(user, page, journal, book);
    page.on("console", (message) => {
      if (message.text().startsWith("[vite-rolling]")) tab!.lastScriptWarning = message.text();
      if (message.type() === "error" && MODULE_ERROR.test(message.text()))
        tab!.#broken(tab!.current, `console: ${message.text()}`);
    });
    page.on("request", (request) => {
      if (request.method() !== "POST" || !request.url().endsWith(SUBMIT_PATH)) return;
      const token = new URLSearchParams(request.postData() ?? "").get("token");
      if (!token) return;
      const post: SentPost = { user, at: journal.now(), answer: "no answer" };
      sent.set(token, post);
      journal.figures.posts++;
      request.response().then(
        (response) => {
          const upstream = response?.headers()["x-upstream"] ?? "?";
          post.answer = `${response?.status() ?? "?"} from ${upstream}`;
        },
        () => {},
      );
    });
    page.on("requestfailed", (request) => {
      const token = new URLSearchParams(request.postData() ?? "").get("token");
      const post = token ? sent.get(token) : undefined;
      if (post) post.answer = `failed: ${request.failure()?.errorText ?? "?"}`;
    });
    page.on("response", (response) => {
      const file = assetFile(response.url());
      if (!file) return;
      // nginx lists every upstream it tried ("a, b"); the last one answered.
      const upstream = (response.headers()["x-upstream"] ?? "").split(", ").pop()!;
      const servedBy = book.releaseOfUpstream(upstream);
      const owner = book.releaseOfFile(file);
      if (servedBy && owner && servedBy !== owner) journal.figures.crossServed++;
    });
    return tab;
  }

  /** Starts an action; `userLoads`: full loads the user's own gesture starts (0 or 1). */
  beginAction(name: string, userLoads: 0 | 1): void {
    this.#action = name;
    this.#userLoads = userLoads;
    this.actionLoads = [];
  }

  /** Loads of the action the user did not start. */
  automaticLoads(): LoadRecord[] {
    return this.actionLoads.filter((load) => load.auto);
  }

  #report(report: Report): void {
    if (report.k === "start") {
      this.#start(report.d, report.u);
      return;
    }
    const doc = this.#docs.get(report.d);
    if (!doc) return;
    if (report.k === "ready") {
      doc.load.release = report.r ?? undefined;
      for (const url of doc.pending.splice(0)) this.#asset(doc, url);
    } else if (report.k === "res") {
      if (!assetFile(report.n)) return;
      if (report.s >= 400) this.#broken(doc, `${report.n} answered ${report.s}`);
      this.#asset(doc, report.n);
    } else if (report.k === "fail") {
      this.#broken(doc, `${report.n} failed to load`);
    } else {
      this.#broken(doc, `uncaught: ${report.m}`);
    }
  }

  #start(id: string, url: string): void {
    const auto = this.#userLoads === 0;
    if (!auto) this.#userLoads--;
    const load: LoadRecord = {
      user: this.user,
      at: this.journal.now(),
      url: new URL(url).pathname,
      release: undefined,
      auto,
      action: this.#action,
    };
    const doc: Doc = { id, load, pending: [], broken: false, mixed: false };
    this.#docs.set(id, doc);
    this.current = doc;
    this.lastScriptWarning = "";
    this.lastStart = load.at;
    this.actionLoads.push(load);
    this.journal.loads.push(load);
    this.journal.figures.loads++;
    if (auto) this.journal.figures.autoLoads++;
  }

  #asset(doc: Doc, url: string): void {
    const file = assetFile(url);
    if (!file) return;
    if (doc.load.release === undefined) {
      doc.pending.push(url);
      return;
    }
    if (this.book.isLazy(file)) this.journal.figures.lazy++;
    const owner = this.book.releaseOfFile(file);
    if (owner && owner !== doc.load.release)
      this.mixed(doc, `${file} is of release ${owner}, the document of ${doc.load.release}`);
  }

  #broken(doc: Doc | null, why: string): void {
    if (!doc || doc.broken) return;
    doc.broken = true;
    this.journal.event(this.user, "broken", `${doc.load.url} (${doc.load.release}): ${why}`);
  }

  /** Counts `doc` mixed (once). */
  mixed(doc: Doc, why: string): void {
    if (doc.mixed) return;
    doc.mixed = true;
    this.journal.event(this.user, "mixed", `${doc.load.url} (${doc.load.release}): ${why}`);
  }
}

/** `assets/x-abc.js` for a built file's URL; "htmx.js" for htmx; null for anything else. */
function assetFile(url: string): string | null {
  const path = new URL(url).pathname;
  if (path === HTMX_PATH) return "htmx.js";
  return path.startsWith(`${BASE}assets/`) ? path.slice(BASE.length) : null;
}
