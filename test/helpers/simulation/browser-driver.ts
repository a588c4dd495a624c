/**
 * The browser driver: real Chromium, one browser, one context (a separate user: own cookies,
 * own sessionStorage) per simulated user, each running the user cycle of user.ts against the
 * load balancer until stopped. Everything counted lands in one `Journal`.
 *
 * Definitions (what the table counts):
 * - page load: a main-frame navigation to a new document;
 * - broken: a load whose built asset or htmx failed (status >= 400 or a network error), or that
 *   logged a module-load error or threw an uncaught error;
 * - mixed: a load that fetched a built file of another release than its own (file names differ
 *   per release; the document names its release in a meta tag), or whose body htmx replaced
 *   with another release's page;
 * - loop: an action followed by more than one full load the user did not start;
 * - stranded: after a deploy finished, the tab's first navigation left it on another release;
 * - lost POST: a token the browser sent that no instance recorded;
 * - lost text: typed text gone from the field after the action that followed the typing.
 */
import type { Browser, BrowserContext } from "playwright-core";
import { launchChromium } from "../browser.js";
import { Journal } from "./journal.js";
import { type ReleaseBook, type SentPost, Tab } from "./tab.js";
import { User } from "./user.js";

export interface BrowserDriverOptions {
  port: number;
  book: ReleaseBook;
  /** Browser contexts at once. @default 4 */
  users?: number;
  /** The browser to open contexts in (closed by its owner); none: one launched and closed here. */
  browser?: Browser | null;
  /** Hide the stale-client guard's sessionStorage keys of this prefix (negative control). */
  guardPrefix?: string | null;
}

export class BrowserDriver {
  readonly journal = new Journal();
  /** Token -> its story, of every POST that left a browser. */
  readonly sent = new Map<string, SentPost>();
  readonly #options: BrowserDriverOptions;
  #browser: Browser | null = null;
  #contexts: BrowserContext[] = [];
  #ownBrowser = false;
  #users: User[] = [];
  #loops: Promise<void>[] = [];
  #running = false;
  #waiters: { until: () => boolean; resolve: () => void }[] = [];

  constructor(options: BrowserDriverOptions) {
    this.#options = options;
  }

  get figures() {
    return this.journal.figures;
  }

  async start(): Promise<void> {
    const { port, book } = this.#options;
    this.#ownBrowser = !this.#options.browser;
    this.#browser = this.#options.browser ?? (await launchChromium());
    const origin = `http://127.0.0.1:${port}`;
    for (let i = 1; i <= (this.#options.users ?? 4); i++) {
      const context = await this.#browser.newContext();
      this.#contexts.push(context);
      const tab = await Tab.open(
        context,
        i,
        this.journal,
        book,
        this.#options.guardPrefix ?? null,
        this.sent,
      );
      this.#users.push(new User(tab, origin, () => this.#wake()));
    }
    this.#running = true;
    this.journal.restart();
    for (const user of this.#users) {
      this.#loops.push(
        user.run(
          () => this.#running,
          () => {
            this.journal.figures.actions++;
            this.#wake();
          },
        ),
      );
    }
  }

  /** Resolves once `count` more actions have completed (pacing by work, not by the clock). */
  actionsMore(count: number): Promise<void> {
    const target = this.journal.figures.actions + count;
    return this.#when(() => this.journal.figures.actions >= target);
  }

  /**
   * A deploy to `release` finished: each user's next navigation must land on it. Resolves once
   * every user has navigated once since.
   */
  deployed(release: string): Promise<void> {
    for (const user of this.#users) user.strandedCheck = release;
    return this.#when(() => this.#users.every((user) => user.strandedCheck === null));
  }

  /** Counts tokens sent that no instance recorded (call once every instance has stopped). */
  settlePosts(recorded: ReadonlySet<string>): void {
    for (const [token, post] of this.sent) {
      if (recorded.has(token)) continue;
      const when = `${(post.at / 1000).toFixed(1)} s`;
      const what = `token ${token} was sent at ${when} (answer: ${post.answer}), no instance recorded it`;
      this.journal.event(post.user, "lostPosts", what);
    }
  }

  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#loops);
    for (const waiter of this.#waiters) waiter.resolve();
    this.#waiters = [];
    for (const context of this.#contexts) await context.close();
    if (this.#ownBrowser) await this.#browser?.close();
  }

  #when(until: () => boolean): Promise<void> {
    if (until() || !this.#running) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ until, resolve }));
  }

  #wake(): void {
    this.#waiters = this.#waiters.filter((waiter) => {
      if (!waiter.until()) return true;
      waiter.resolve();
      return false;
    });
  }
}
