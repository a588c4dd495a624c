/**
 * The template helpers of one request (`res.locals.vite`, `c.get("vite")`, ...): the engine's
 * render functions with the request's host and nonce filled in, one import map per build and
 * page, and the page's preload links sent as the `Link` header and 103 Early Hints.
 */
import type { RenderContext, ViteRolling } from "../types.js";
import type { HelperSource, HintSink, TemplateHelpers } from "./contract.js";

/**
 * The helpers hold the request itself and read its nonce and preload sink through the
 * adapter's `HelperSource`, made once per middleware. Built instead as an object of closures
 * over the request (a dozen functions, plus the adapter's nonce and hints closures), they sent
 * a busy server into a storm of full GCs: under sustained load (bench figure 4's hono server,
 * 80 s, --trace-gc) 110-190 Mark-Compacts against 1-8 with this class, and the middleware's
 * CPU per request doubled while it lasted.
 *
 * @example
 * const vite = new RequestHelpers(vr, { nonce: (res) => res.locals.cspNonce, hints: () => null }, res, host);
 * vite.scripts("src/main.ts");
 */
export class RequestHelpers<Request> implements TemplateHelpers {
  readonly host: string | undefined;
  readonly #vr: ViteRolling;
  readonly #source: HelperSource<Request>;
  readonly #request: Request;
  /**
   * One import map per build and page: a second would be ignored, or an error in browsers
   * without multiple import maps.
   */
  #importMaps: Set<string | undefined> | null = null;
  /** Where preload links go: undefined until the first is sent (most requests send none). */
  #hintSink: HintSink | null | undefined;
  /** The response's preload links so far, and their bytes in the `Link` header. */
  #sent: Set<string> | null = null;
  #sentBytes = 0;

  constructor(
    vr: ViteRolling,
    source: HelperSource<Request>,
    request: Request,
    host: string | undefined,
  ) {
    this.#vr = vr;
    this.#source = source;
    this.#request = request;
    // Own, bound methods, as the helpers always were: a view engine may call them off the
    // object (Handlebars and Mustache call a function with the template's context as `this`,
    // and Handlebars resolves own properties only). A bound function holds no scope; measured
    // no GC storm and ~1 µs a request.
    this.styles = this.styles.bind(this);
    this.scripts = this.scripts.bind(this);
    this.preload = this.preload.bind(this);
    this.versionTags = this.versionTags.bind(this);
    this.appVersion = this.appVersion.bind(this);
    this.staticUrl = this.staticUrl.bind(this);
    this.assetUrl = this.assetUrl.bind(this);
    this.reactRefresh = this.reactRefresh.bind(this);
    this.legacyScripts = this.legacyScripts.bind(this);
    this.nonce = this.nonce.bind(this);
    this.host = host;
  }

  styles(entries: string | readonly string[], build?: string): string {
    const html = this.#vr.styles(entries, this.#render(build));
    if (this.#vr.options.linkHeader) this.#hint(entries, build, false);
    return html;
  }

  scripts(entries: string | readonly string[], build?: string): string {
    const context = this.#render(build);
    this.#importMaps ??= new Set();
    const name = build ?? this.#vr.defaultBuild;
    if (this.#importMaps.has(name)) context.importMap = false;
    this.#importMaps.add(name);
    const html = this.#vr.scripts(entries, context);
    if (this.#vr.options.linkHeader) this.#hint(entries, build, false);
    return html;
  }

  preload(entries: string | readonly string[], build?: string): void {
    this.#hint(entries, build, true);
  }

  versionTags(): string {
    return this.#vr.versionTags(this.#render());
  }

  appVersion(): string {
    return this.#vr.appVersion();
  }

  staticUrl(path: string): string {
    return this.#vr.staticUrl(path);
  }

  assetUrl(path: string, build?: string): string {
    return this.#vr.assetUrl(path, this.#render(build));
  }

  reactRefresh(build?: string): string {
    return this.#vr.reactRefresh(this.#render(build));
  }

  legacyScripts(entries: string | readonly string[], build?: string): string {
    return this.#vr.legacyScripts(entries, this.#render(build));
  }

  nonce(): string | undefined {
    return this.#source.nonce(this.#request);
  }

  #render(build?: string): RenderContext {
    return build === undefined
      ? { host: this.host, nonce: this.nonce() }
      : { host: this.host, nonce: this.nonce(), build };
  }

  /**
   * Adds the entries' preload links to the response (`early`: as 103 Early Hints too): each
   * link once, all within the caps, however many `preload()` / `styles()` / `scripts()` calls
   * add to them.
   */
  #hint(entries: string | readonly string[], build: string | undefined, early: boolean): void {
    if (this.#hintSink === undefined) this.#hintSink = this.#source.hints(this.#request);
    const sink = this.#hintSink;
    if (!sink) return;
    const o = this.#vr.options;
    const sendEarly = early && o.earlyHints && typeof sink.earlyHints === "function";
    if (!sendEarly && !o.linkHeader) return;
    this.#sent ??= new Set();
    const sent = this.#sent;
    const fresh: string[] = [];
    for (const link of this.#vr.preloadLinks(entries, this.#render(build))) {
      if (sent.has(link)) continue;
      const added = link.length + (sent.size > 0 ? 2 : 0);
      if (sent.size >= o.linkHeaderMaxCount || this.#sentBytes + added > o.linkHeaderMaxBytes)
        break;
      sent.add(link);
      this.#sentBytes += added;
      fresh.push(link);
    }
    if (fresh.length === 0) return;
    if (sendEarly) sink.earlyHints!(fresh);
    if (o.linkHeader) sink.link(fresh.join(", "));
  }
}
