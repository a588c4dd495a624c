import {
  type Attribute,
  isNonceSlot,
  type TagOptions,
  type TagSpec,
  tagAttributes,
} from "./tags.js";

/** The caps on one response's `Link` header (options `linkHeaderMaxCount`, `linkHeaderMaxBytes`). */
export interface LinkCaps {
  maxCount: number;
  maxBytes: number;
}

// Attributes that change how the browser fetches a file: a preload that differs from its tag
// in any of them is not reused, and the file is fetched twice. Everything else (type, rel,
// data-*) says nothing about the fetch.
const FETCH_PARAMS = new Set(["crossorigin", "integrity", "referrerpolicy", "fetchpriority"]);

// A parameter value Node accepts in `writeEarlyHints` (its link check allows no whitespace,
// ";" or '"' inside a quoted value) and no proxy splits: visible ASCII but `"`, `\`, `,`, `;`.
const SAFE_PARAM = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/;

/** Whether `value` can be a quoted `Link` parameter (a nonce, an integrity) as it is. */
export function isSafeLinkParam(value: string): boolean {
  return SAFE_PARAM.test(value);
}

/**
 * A URL as a `Link` target: characters a header cannot carry, or that would end the `<...>`,
 * percent-encoded (UTF-8), as a browser would encode them in a URL.
 */
export function linkTarget(url: string): string {
  return url.replace(/[^\x21-\x7e]|[<>"\\]/gu, (c) => {
    try {
      return encodeURIComponent(c);
    } catch {
      // A lone surrogate has no UTF-8 form: the replacement character, as URL parsers do.
      return "%EF%BF%BD";
    }
  });
}

/**
 * The `Link` form of a tag, from the same attributes its HTML carries (hook applied), so the
 * preload and the tag match: a stylesheet becomes `rel=preload; as=style`, a module script or
 * modulepreload `rel=modulepreload`. Null for a prefetch, or when the hook gave a value no
 * header can carry (the tag alone then loads the file).
 */
function linkOf(spec: TagSpec, options: TagOptions): { text: string; nonced: boolean } | null {
  if (spec.kind === "prefetch") return null;
  const rel = spec.kind === "stylesheet" ? "rel=preload; as=style" : "rel=modulepreload";
  let text = `<${linkTarget(spec.url)}>; ${rel}`;
  let nonced = false;
  for (const attribute of tagAttributes(spec, options) as Attribute[]) {
    const [name, value] = attribute;
    if (isNonceSlot(attribute)) {
      nonced = true;
      continue;
    }
    if (!FETCH_PARAMS.has(name) && name !== "nonce") continue;
    if (value === true) text += `; ${name}`;
    else if (isSafeLinkParam(value)) text += `; ${name}="${value}"`;
    else return null;
  }
  return { text, nonced };
}

/**
 * Preload links compiled once per entry list, rendered per request with its nonce and cut to
 * the caps. Order: stylesheets (render-blocking), the entries' module scripts, then the chunks
 * they import; a cut keeps the head of that list, and never half a link.
 */
export class CompiledLinks {
  readonly #links: readonly { text: string; nonced: boolean }[];
  readonly #caps: LinkCaps;

  constructor(links: readonly { text: string; nonced: boolean }[], caps: LinkCaps) {
    this.#links = links;
    this.#caps = caps;
  }

  /** The link values, each with ` nonce="..."` when its tag has the nonce; the nonce must pass `isSafeLinkParam`. */
  render(nonce?: string): string[] {
    const suffix = nonce ? `; nonce="${nonce}"` : "";
    const out: string[] = [];
    let bytes = 0;
    for (const link of this.#links) {
      if (out.length >= this.#caps.maxCount) break;
      const value = link.nonced ? link.text + suffix : link.text;
      // ", " joins the values of one header; every character is ASCII, one byte.
      const added = value.length + (out.length > 0 ? 2 : 0);
      if (bytes + added > this.#caps.maxBytes) break;
      bytes += added;
      out.push(value);
    }
    return out;
  }
}

/** Compiles tag specs into preload links, in the order `CompiledLinks` keeps. */
export function compileLinks(
  specs: readonly TagSpec[],
  options: TagOptions,
  caps: LinkCaps,
): CompiledLinks {
  const rank = { stylesheet: 0, script: 1, modulepreload: 2, prefetch: 3 } as const;
  const ordered = [...specs].sort((a, b) => rank[a.kind] - rank[b.kind]);
  const links = ordered.flatMap((spec) => linkOf(spec, options) ?? []);
  return new CompiledLinks(links, caps);
}
