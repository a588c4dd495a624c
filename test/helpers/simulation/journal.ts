/**
 * What a browser-driven run counts and remembers: the figures of the table, every page load
 * (for the report's timeline) and every failure, described (for the report and the test).
 */

/** The counts of one run, per the simulation's definitions (see browser-driver.ts). */
export interface Figures {
  /** User actions completed (open, follow a link, click, post, type). */
  actions: number;
  /** Full page loads (main-frame navigations to a new document). */
  loads: number;
  /** Of those, loads the user did not start (the stale-client script's, a server's answer). */
  autoLoads: number;
  /** Loads with a failed asset (status >= 400, network error) or a module / page error. */
  broken: number;
  /** Loads with an asset, or a boosted swap's body, of another release than the document. */
  mixed: number;
  /** Actions followed by more than one full load the user did not start. */
  loops: number;
  /** Tabs still on the old release after the deploy finished and the tab navigated once. */
  stranded: number;
  /** Form POSTs that left the browser. */
  posts: number;
  /** Of those, tokens no instance recorded. */
  lostPosts: number;
  /** Typing actions where the page reloaded between typing and the check. */
  typedReloads: number;
  /** Typing actions whose text was gone afterwards. */
  lostText: number;
  /** Asset responses from an instance of another release than the asset's (the risky case). */
  crossServed: number;
  /** Lazy chunks the pages loaded. */
  lazy: number;
  /** Actions whose expected result never showed (diagnostic, not a failure by itself). */
  stuck: number;
}

export function emptyFigures(): Figures {
  return {
    actions: 0,
    loads: 0,
    autoLoads: 0,
    broken: 0,
    mixed: 0,
    loops: 0,
    stranded: 0,
    posts: 0,
    lostPosts: 0,
    typedReloads: 0,
    lostText: 0,
    crossServed: 0,
    lazy: 0,
    stuck: 0,
  };
}

/** A failure worth a mark on the timeline. */
export type EventKind = "broken" | "mixed" | "loop" | "stranded" | "lostPosts" | "lostText";

const FIGURE_OF: Record<EventKind, keyof Figures> = {
  broken: "broken",
  mixed: "mixed",
  loop: "loops",
  stranded: "stranded",
  lostPosts: "lostPosts",
  lostText: "lostText",
};

export interface SimEvent {
  /** Browser context (simulated user) number. */
  user: number;
  /** Milliseconds since the run began. */
  at: number;
  kind: EventKind;
  detail: string;
}

/** One full page load, as the timeline draws it. */
export interface LoadRecord {
  user: number;
  at: number;
  url: string;
  /** Release of the document (its meta tag); undefined until parsed, or when it never was. */
  release: string | undefined;
  /** Not started by the user. */
  auto: boolean;
  /** The action during which it started. */
  action: string;
}

/** A deploy step, as the timeline marks it. */
export interface StepRecord {
  at: number;
  text: string;
}

export class Journal {
  readonly figures = emptyFigures();
  readonly loads: LoadRecord[] = [];
  readonly events: SimEvent[] = [];
  readonly steps: StepRecord[] = [];
  readonly stuckSamples: string[] = [];
  #began = Date.now();

  /** Starts the clock again (when the users start, so the timeline begins with them). */
  restart(): void {
    this.#began = Date.now();
  }

  now(): number {
    return Date.now() - this.#began;
  }

  event(user: number, kind: EventKind, detail: string): void {
    this.figures[FIGURE_OF[kind]]++;
    this.events.push({ user, at: this.now(), kind, detail });
  }

  /** An action whose result never showed: counted, and the first few described. */
  stuck(what: string): void {
    if (this.figures.stuck++ < 5) this.stuckSamples.push(what);
  }

  step(text: string): void {
    this.steps.push({ at: this.now(), text });
  }

  /** The first `count` events of each kind, one line each (for assertion messages). */
  samples(count = 3): string[] {
    const out: string[] = [];
    for (const kind of Object.keys(FIGURE_OF) as EventKind[]) {
      for (const e of this.events.filter((x) => x.kind === kind).slice(0, count))
        out.push(`${kind} (user ${e.user}, ${(e.at / 1000).toFixed(1)} s): ${e.detail}`);
    }
    for (const what of this.stuckSamples) out.push(`stuck: ${what}`);
    return out;
  }
}
