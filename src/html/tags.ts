import { fail } from "../errors.js";
import type { ResolvedTag } from "../manifest/types.js";
import type { TagKind, ViteRollingOptions } from "../options.js";
import { escapeHtml, isValidAttributeName, nonceAttribute } from "./escape.js";

/** What a `<link>` or `<script src>` tag is made of, URL resolved. */
export interface TagSpec {
  kind: "stylesheet" | "modulepreload" | "script" | "prefetch";
  url: string;
  integrity?: string;
  /**
   * Bare `crossorigin`, as Vite writes it on every script, modulepreload and stylesheet of a
   * built page (html plugin, `toScriptTag` / `toPreloadTag` / `toStyleSheetLinkTag`). Vite's
   * dev server writes none, and neither do we in dev mode.
   */
  crossorigin: boolean;
}

/** The options that shape every tag. */
export interface TagOptions {
  turboTrack: boolean;
  attributes: ViteRollingOptions["attributes"];
}

/** One attribute of a tag; `true` is written bare. */
export type Attribute = [name: string, value: string | true];

// Stands where the nonce goes; a name no valid attribute can have, so a hook cannot clash with it.
const NONCE = "\u0000nonce";

/** Whether an attribute of `tagAttributes` is the slot the request's nonce goes in. */
export function isNonceSlot([name]: Attribute): boolean {
  return name === NONCE;
}

/**
 * Tags compiled once, rendered per request. The nonce changes per request (CSP nonces must),
 * so the HTML is kept as the pieces around each nonce position (consecutive tags merged, so a
 * page of n tags is n + 1 pieces) and joined with the escaped nonce: no manifest walk, one
 * join per render.
 *
 * Measured on the large manifest (bench figure 1: 47 tags, 49 pieces a page), in one process,
 * alternating, each page read as a response write would: `join` with a flat separator is the
 * cheapest way found to the flat string. The same join with a rope separator costs 1.25×
 * (V8 copies the rope leaf by leaf at each of the 47 positions: `nonceAttribute` makes it
 * flat), `+` 1.2× (a rope, flattened node by node when read), writing the nonce 47 times into
 * a preallocated Buffer then decoding it as latin1 1.15×, and a global replace of a
 * one-character placeholder in the whole HTML 1.8×. What a join costs beyond the copy is per
 * piece (V8's `WriteToFlat`), and consecutive tags are already one piece.
 * The pieces are copied flat once here: `split()` hands out slices of the whole compiled HTML,
 * which every join then reads through an indirection (and which keep that HTML alive).
 */
export class CompiledTags {
  readonly #pieces: readonly string[];
  readonly #plain: string;
  /** The last nonce rendered and its HTML: a page that renders these tags twice joins once. */
  #lastNonce = "";
  #lastHtml = "";

  constructor(pieces: readonly string[]) {
    this.#pieces = pieces.map(flatCopy);
    this.#plain = pieces.join("");
  }

  /** The HTML, with ` nonce="..."` on every tag when `nonce` is a non-empty string. */
  render(nonce?: string): string {
    if (!nonce) return this.#plain;
    if (nonce !== this.#lastNonce) {
      this.#lastHtml = this.#pieces.join(nonceAttribute(nonce));
      this.#lastNonce = nonce;
    }
    return this.#lastHtml;
  }
}

/** `piece` as a string of its own (not a slice of a bigger one), same characters. */
function flatCopy(piece: string): string {
  // Joining its code points builds a new sequential string (`piece + ""` or a one-piece join
  // would hand back the slice itself). Once per compiled list, never per render.
  return [...piece].join("");
}

/** URL of a built file: base (with its trailing slash) + file. */
export function joinUrl(base: string, file: string): string {
  return base.endsWith("/")
    ? base + file.replace(/^\/+/, "")
    : `${base}/${file.replace(/^\/+/, "")}`;
}

/**
 * Walker output to tag specs: URLs from `base`, integrity only when `integrity` is on. The
 * manifest records integrity for chunks only; `sri` (the build sidecar's map by output file)
 * covers the rest, CSS of JS chunks included.
 */
export function toTagSpecs(
  tags: readonly ResolvedTag[],
  base: string,
  integrity: boolean,
  sri: Readonly<Record<string, string>> = {},
): TagSpec[] {
  return tags.map((tag) => {
    const spec: TagSpec = { kind: tag.kind, url: joinUrl(base, tag.file), crossorigin: true };
    const value = tag.integrity ?? (Object.hasOwn(sri, tag.file) ? sri[tag.file] : undefined);
    if (integrity && value) spec.integrity = value;
    return spec;
  });
}

/** Compiles specs into HTML (one tag per line), every attribute value escaped. */
export function compileTags(specs: readonly TagSpec[], options: TagOptions): CompiledTags {
  const html = specs.map((spec) => serialize(spec.kind, tagAttributes(spec, options)));
  return new CompiledTags(html.join("\n").split(NONCE));
}

/** An inline `<script type="module">` around code the library generated (already script-safe). */
export function inlineModuleScript(code: string, options: TagOptions): CompiledTags {
  return inlineScript(code, options, "module");
}

/**
 * An inline `<script>` around text the library generated (already script-safe: see
 * `jsonForScript`), carrying the request's nonce. `type` null: a classic script, the only
 * kind where `document.currentScript` is set.
 */
export function inlineScript(
  code: string,
  options: TagOptions,
  type: "module" | "importmap" | null,
): CompiledTags {
  const attributes: Attribute[] = type ? [["type", type]] : [];
  attributes.push([NONCE, true]);
  const html = `<script${attributeText(withHook(attributes, "inline-script", "", options))}>${code}</script>`;
  return new CompiledTags(html.split(NONCE));
}

/** One `<script>` of `compileScripts`: its attributes, inline code (script-safe) or "". */
export interface ScriptSpec {
  attributes: Attribute[];
  code: string;
  /** What the `attributes` hook is told: "script" with a `src`, else "inline-script". */
  kind: TagKind;
  url: string;
}

/** Scripts, one per line, each with the request's nonce after its own attributes (legacy.ts). */
export function compileScripts(scripts: readonly ScriptSpec[], options: TagOptions): CompiledTags {
  const html = scripts.map(
    ({ attributes, code, kind, url }) =>
      `<script${attributeText(withHook([...attributes, [NONCE, true]], kind, url, options))}>${code}</script>`,
  );
  return new CompiledTags(html.join("\n").split(NONCE));
}

/** A `<meta name content>` tag. */
export function metaTag(name: string, content: string): string {
  return `<meta name="${escapeHtml(name)}" content="${escapeHtml(content)}">`;
}

/**
 * A tag's attributes, the `attributes` hook applied: what its HTML carries, and what its
 * `Link` header form copies (link-header.ts), so the two always match.
 */
export function tagAttributes(spec: TagSpec, options: TagOptions): Attribute[] {
  const attributes: Attribute[] =
    spec.kind === "script" ? [["type", "module"]] : [["rel", spec.kind]];
  if (spec.crossorigin) attributes.push(["crossorigin", true]);
  attributes.push([spec.kind === "script" ? "src" : "href", spec.url]);
  if (spec.integrity) attributes.push(["integrity", spec.integrity]);
  attributes.push([NONCE, true]);
  // A prefetch is a hint for later, not part of the page: low priority (what Laravel's and
  // Vite's own prefetching ask for), and no reason for Turbo to reload when it changes.
  if (spec.kind === "prefetch") attributes.push(["fetchpriority", "low"]);
  else if (options.turboTrack) attributes.push(["data-turbo-track", "reload"]);
  return withHook(attributes, spec.kind, spec.url, options);
}

/**
 * Applies the `attributes` hook: a returned name replaces the built-in attribute of that name
 * in place (so `crossorigin: "use-credentials"` works), `false` / `undefined` removes it,
 * `true` writes it bare. Names cannot be escaped, so an invalid one is an error.
 */
function withHook(
  attributes: Attribute[],
  kind: TagKind,
  url: string,
  options: TagOptions,
): Attribute[] {
  if (!options.attributes) return attributes;
  const extra = options.attributes(kind, url);
  if (extra === null || extra === undefined) return attributes;
  if (typeof extra !== "object") {
    fail(
      "html",
      `the attributes option returned ${typeof extra} for a ${kind} tag; it must return an object of attribute names to string | true | false | undefined.`,
      { code: "ERR_OPTIONS" },
    );
  }
  const out = [...attributes];
  for (const [name, value] of Object.entries(extra)) {
    if (!isValidAttributeName(name)) {
      fail(
        "html",
        `the attributes option returned ${JSON.stringify(name)} for a ${kind} tag, which is not a valid HTML attribute name (no spaces, quotes, <, >, / or =). Fix the name in your attributes function.`,
        { code: "ERR_OPTIONS" },
      );
    }
    // A hook's own nonce takes the request nonce's place rather than doubling it.
    const at = out.findIndex(([n]) => n === name || (name === "nonce" && n === NONCE));
    if (value === false || value === undefined) {
      if (at >= 0) out.splice(at, 1);
      continue;
    }
    if (typeof value !== "string" && value !== true) {
      fail(
        "html",
        `the attributes option returned ${typeof value} for attribute "${name}" of a ${kind} tag; use a string, true (bare attribute), or false / undefined (omit).`,
        { code: "ERR_OPTIONS" },
      );
    }
    if (at >= 0) out[at] = [name, value];
    else out.push([name, value]);
  }
  return out;
}

function attributeText(attributes: readonly Attribute[]): string {
  let text = "";
  for (const [name, value] of attributes) {
    if (name === NONCE) text += NONCE;
    else text += value === true ? ` ${name}` : ` ${name}="${escapeHtml(value)}"`;
  }
  return text;
}

function serialize(kind: TagSpec["kind"], attributes: readonly Attribute[]): string {
  return kind === "script"
    ? `<script${attributeText(attributes)}></script>`
    : `<link${attributeText(attributes)}>`;
}
