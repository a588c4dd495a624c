/**
 * One simulated user: a loop of what people do on the app's pages, in one browser tab. Each
 * action is a real gesture (a goto, a click, typing), then a wait until its result shows or
 * the page stops reloading; then the action is judged: automatic loads (loop), the body's
 * release against the document's (a boosted swap of another release), the release after the
 * first navigation following a finished deploy (stranded), the typed text (lost).
 */
import type { Tab } from "./tab.js";

/** Something a user does; `check` is a JavaScript expression true once the result shows. */
interface Action {
  name: string;
  /** Full loads the gesture itself starts: 1 for a goto or a link the browser may follow. */
  userLoads: 0 | 1;
  /** Whether the action navigates (a link): the stranded check happens on one. */
  navigates: boolean;
  perform(user: User): Promise<void>;
  check(user: User): string;
}

const clickOn = (selector: string) => (user: User) => user.click(selector);
const at = (path: string, also = "true") =>
  `location.pathname === ${JSON.stringify(path)} && (${also})`;

/** The cycle every user repeats. */
const CYCLE: Action[] = [
  {
    name: "open /",
    userLoads: 1,
    navigates: false,
    perform: (user) => user.goto("/"),
    check: () => at("/", "!!document.getElementById('name')"),
  },
  {
    name: "link /items",
    userLoads: 1,
    navigates: true,
    perform: clickOn("#to-items"),
    check: () => at("/items", "document.getElementById('name').textContent === 'items'"),
  },
  {
    name: "link /load (load-triggered fragment)",
    userLoads: 1,
    navigates: true,
    perform: clickOn("#to-load"),
    check: () => at("/load", "!!document.querySelector('#slot #frag')"),
  },
  {
    name: "link /poll (polled fragment), stay for 3 polls",
    userLoads: 1,
    navigates: true,
    perform: clickOn("#to-poll"),
    check: () => at("/poll", "(window.__simPolls || 0) >= 3"),
  },
  {
    name: "lazy import",
    userLoads: 0,
    navigates: false,
    perform: clickOn("#lazy"),
    check: () => "document.getElementById('lazy-out').textContent !== ''",
  },
  {
    name: "link /form",
    userLoads: 1,
    navigates: true,
    perform: clickOn("#to-form"),
    check: () => at("/form", "!!document.getElementById('token')"),
  },
  {
    name: "post form",
    userLoads: 0,
    navigates: false,
    perform: async (user) => {
      await user.page.fill("#token", user.nextToken(), { timeout: 2000 });
      await user.click("#send");
    },
    check: (user) =>
      `(document.getElementById('got') || {}).textContent === ${JSON.stringify(`got ${user.token}`)}`,
  },
  {
    name: "type, then fetch a fragment",
    userLoads: 0,
    navigates: false,
    perform: async (user) => {
      const text = `typed by ${user.tab.user} #${user.tab.journal.figures.actions}`;
      await user.page.fill("#draft", text, { timeout: 2000 });
      // Judged only once typed: a user not on the form (a click that missed) typed nothing.
      user.text = text;
      await user.click("#check");
    },
    check: () => "!!document.querySelector('#slot #frag')",
  },
];

/** How long an action may take before it is judged anyway (a loop keeps it busy). */
const ACTION_MS = 10_000;
/** No new document for this long: the page has stopped reloading. */
const QUIET_DONE_MS = 300;
// Longer than the polled fragment's interval (1 s) plus a page load: reloads a poll causes
// belong to the action that led to them.
const QUIET_RELOADED_MS = 2500;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class User {
  token = "";
  text = "";
  /** Release the last finished deploy moved to, until this user navigated once after it. */
  strandedCheck: string | null = null;
  #count = 0;

  constructor(
    readonly tab: Tab,
    readonly origin: string,
    readonly onCheck: () => void,
  ) {}

  get page() {
    return this.tab.page;
  }

  nextToken(): string {
    this.token = `t${this.tab.user}-${++this.#count}`;
    return this.token;
  }

  goto(path: string): Promise<void> {
    return this.page.goto(this.origin + path, { waitUntil: "commit", timeout: 10_000 }).then(
      () => {},
      () => {},
    );
  }

  /**
   * A click event on the element, without Playwright's actionability checks (scrolling,
   * waiting for two stable animation frames), which on a loaded 2-core machine outlast the
   * action; htmx and the browser's link activation handle it as a click.
   */
  click(selector: string): Promise<void> {
    return this.page.dispatchEvent(selector, "click", undefined, { timeout: 5000 }).catch(() => {});
  }

  /** Runs the cycle until `running()` turns false; `done` after each action. */
  async run(running: () => boolean, done: () => void): Promise<void> {
    for (let i = 0; running(); i = (i + 1) % CYCLE.length) {
      await this.#act(CYCLE[i]!);
      done();
    }
  }

  async #act(action: Action): Promise<void> {
    const { tab } = this;
    const deployed = action.navigates ? this.strandedCheck : null;
    const before = tab.current;
    this.text = "";
    tab.beginAction(action.name, action.userLoads);
    // A gesture that found nothing to act on (a field on a page the user is not on, after a
    // click that missed) awaits no result; the settle still waits for the page to calm down.
    const acted = await action.perform(this).then(
      () => true,
      () => false,
    );
    const outcome = await this.#settle(acted ? action.check(this) : "true");
    const reloaded = tab.current !== before && tab.actionLoads.length > action.userLoads;
    const auto = tab.automaticLoads();
    // "/load@B (auto)": each full load of the action, its release, who started it.
    const loads = tab.actionLoads
      .map((l) => `${l.url}@${l.release ?? "?"} (${l.auto ? "auto" : "user"})`)
      .join(", ");
    if (auto.length > 1)
      tab.journal.event(
        tab.user,
        "loop",
        `${action.name}: ${auto.length} automatic loads: ${loads}`,
      );
    const state = await this.#state();
    const doc = tab.current;
    if (outcome === "stuck") tab.journal.stuck(`${action.name}: ${state?.path ?? "no page"}`);
    if (state && doc?.load.release && state.body && state.body !== doc.load.release) {
      tab.mixed(
        doc,
        `${action.name}: htmx swapped release ${state.body}'s page into release ${doc.load.release}'s document${tab.lastScriptWarning ? ` (the script last said: ${tab.lastScriptWarning})` : ""}`,
      );
    }
    if (deployed) {
      this.strandedCheck = null;
      if (doc?.load.release !== deployed) {
        tab.journal.event(
          tab.user,
          "stranded",
          `${action.name}: still on release ${doc?.load.release ?? "?"} (${state?.path}), ${deployed} is deployed`,
        );
      }
      this.onCheck();
    }
    if (this.text) {
      if (reloaded) tab.journal.figures.typedReloads++;
      if (state?.draft !== this.text) {
        tab.journal.event(
          tab.user,
          "lostText",
          `"${this.text}" gone after ${reloaded ? `a reload (${loads})` : "the fragment"}: the field holds ${JSON.stringify(state?.draft ?? null)} on ${state?.path}`,
        );
      }
    }
  }

  /** What the page shows now, or null while it is between documents. */
  async #state() {
    for (let i = 0; i < 20; i++) {
      try {
        return await this.page.evaluate(() => ({
          path: location.pathname,
          body: document.getElementById("release")?.textContent ?? null,
          draft: (document.getElementById("draft") as HTMLInputElement | null)?.value ?? null,
        }));
      } catch {
        await sleep(50);
      }
    }
    return null;
  }

  /**
   * Waits until `check` holds on a loaded page that has stopped reloading ("shown"), or the
   * page reloaded (or broke) and then stayed quiet without it ("reloaded": a stale answer's
   * reload drops what the action awaited), or `ACTION_MS` passed ("stuck").
   */
  async #settle(check: string): Promise<"shown" | "reloaded" | "stuck"> {
    const { tab } = this;
    const deadline = tab.journal.now() + ACTION_MS;
    const probe = `document.readyState === "complete" && !!window.htmx && (${check})`;
    while (tab.journal.now() < deadline) {
      const holds = await this.page.evaluate(probe).then(
        (value) => value === true,
        () => false,
      );
      const quiet = tab.journal.now() - tab.lastStart;
      if (holds && quiet >= QUIET_DONE_MS) return "shown";
      // A broken document (counted already) may never show the result: waiting out ACTION_MS
      // there only slowed the naive control down.
      const gaveUp = tab.actionLoads.length > 0 || tab.current?.broken === true;
      if (gaveUp && quiet >= QUIET_RELOADED_MS) return "reloaded";
      await sleep(50);
    }
    return "stuck";
  }
}
