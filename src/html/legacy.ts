/**
 * The legacy-browser tags of an `@vitejs/plugin-legacy` build, as the plugin writes them into
 * Vite's own index.html (its `transformIndexHtml`): the modern-browser detection and dynamic
 * fallback (module scripts), the Safari 10.1 `nomodule` fix, the SystemJS polyfills chunk and
 * each entry's `-legacy` chunk, imported through SystemJS.
 */
import { fail } from "../errors.js";
import type { Manifest } from "../manifest/types.js";
import {
  type Attribute,
  type CompiledTags,
  compileScripts,
  joinUrl,
  type ScriptSpec,
  type TagOptions,
} from "./tags.js";

/** Manifest key of the legacy polyfills chunk (SystemJS + core-js) plugin-legacy emits. */
export const LEGACY_POLYFILLS_KEY = "vite/legacy-polyfills-legacy";

/**
 * The polyfills chunk's key in `manifest`. Its module id is the relative "vite/legacy-polyfills-legacy",
 * which Vite resolves against the process's cwd, not its root: a build run from another folder
 * records "../../<cwd>/vite/legacy-polyfills-legacy" (seen with Vite 8.3, plugin-legacy 8.2).
 */
export function legacyPolyfillsKey(manifest: Manifest): string | null {
  if (Object.hasOwn(manifest, LEGACY_POLYFILLS_KEY)) return LEGACY_POLYFILLS_KEY;
  const suffix = `/${LEGACY_POLYFILLS_KEY}`;
  for (const key of Object.keys(manifest)) if (key.endsWith(suffix)) return key;
  return null;
}

// plugin-legacy's inline scripts, byte for byte (its snippets, 8.x); test/vite/legacy.e2e.test.ts
// compares them with what a real build writes, so a change upstream fails there first.
const POLYFILL_ID = "vite-legacy-polyfill";
const ENTRY_ID = "vite-legacy-entry";
/** Safari 10.1 runs `nomodule` scripts although it supports modules: this stops it. */
const SAFARI10_NOMODULE_FIX = `!function(){var e=document,t=e.createElement("script");if(!("noModule"in t)&&"onbeforeload"in t){var n=!1;e.addEventListener("beforeload",(function(e){if(e.target===t)n=!0;else if(!e.target.hasAttribute("nomodule")||!n)return;e.preventDefault()}),!0),t.type="module",t.src=".",e.head.appendChild(t),t.remove()}}();`;
/** Sets a flag only where modern chunks can run (import.meta.resolve, dynamic import, async generators). */
const DETECT_MODERN = `import'data:text/javascript,if(!import.meta.resolve)throw Error("import.meta.resolve not supported")';import.meta.url;import("_").catch(()=>1);(async function*(){})().next();window.__vite_is_modern_browser=true`;

const systemImport = (id: string): string =>
  `System.import(document.getElementById('${id}').getAttribute('data-src'))`;

/** Browsers with modules but without what modern chunks use load the legacy chunks instead. */
const dynamicFallback = (imports: string): string =>
  `!function(){if(window.__vite_is_modern_browser)return;console.warn("vite: loading legacy chunks, syntax error above and the same error below should be ignored");var e=document.getElementById("${POLYFILL_ID}"),n=document.createElement("script");n.src=e.src,n.onload=function(){${imports}},document.body.appendChild(n)}();`;

/** What the legacy tags of some entries load: output files. */
export interface LegacyPlan {
  /** The polyfills chunk; null when the build has none (plugin-legacy `polyfills: false`). */
  polyfills: string | null;
  /** Each entry's legacy chunk, in the order asked, without duplicates. */
  entries: string[];
  /** Whether modern chunks exist too (plugin-legacy `renderModernChunks`, on by default). */
  modern: boolean;
}

/**
 * Vite's manifest key of an entry's legacy chunk: "-legacy" before the extension, as Vite's
 * manifest plugin names chunks of the `system` format (`getChunkOriginalFileName`):
 * "src/main.ts" gives "src/main-legacy.ts", "index.html" gives "index-legacy.html".
 */
export function legacyKey(entry: string): string {
  const dot = entry.lastIndexOf(".");
  // path.extname: no extension when the last dot starts the file name or is not in it.
  const ext = dot > entry.lastIndexOf("/") + 1 ? entry.slice(dot) : "";
  return `${entry.slice(0, entry.length - ext.length)}-legacy${ext}`;
}

/** Whether plugin-legacy built this manifest: its polyfills, or an entry's legacy chunk. */
export function hasLegacyChunks(manifest: Manifest): boolean {
  if (legacyPolyfillsKey(manifest) !== null) return true;
  return Object.entries(manifest).some(
    ([key, chunk]) =>
      chunk.isEntry === true && key.includes("-legacy") && chunk.file.includes("-legacy"),
  );
}

/**
 * The legacy chunks of `entries`; null when the build has none (no plugin-legacy, or only CSS
 * entries). A script entry without a legacy chunk in a legacy build is an `ERR_UNKNOWN_ENTRY`.
 */
export function resolveLegacy(
  manifest: Manifest,
  entries: readonly string[],
  source: string,
): LegacyPlan | null {
  if (!hasLegacyChunks(manifest)) return null;
  const files: string[] = [];
  let modern = false;
  for (const entry of entries) {
    const key = legacyKey(entry);
    const modernChunk = Object.hasOwn(manifest, entry) ? manifest[entry] : undefined;
    if (Object.hasOwn(manifest, key)) {
      const file = manifest[key]!.file;
      if (!files.includes(file)) files.push(file);
      if (modernChunk) modern = true;
    } else if (!modernChunk || !/\.css$/.test(modernChunk.file)) {
      // A CSS entry has no script in either build; anything else should have a legacy chunk.
      fail(
        "render",
        `legacyScripts("${entry}"): the manifest at "${source}" has legacy chunks but no "${key}"${modernChunk ? "" : ` and no "${entry}"`}. Pass an entry of the build (a manifest key such as "src/main.ts" or "index.html") built with @vitejs/plugin-legacy in vite.config.`,
        { code: "ERR_UNKNOWN_ENTRY" },
      );
    }
  }
  if (files.length === 0) return null;
  const polyfillsKey = legacyPolyfillsKey(manifest);
  const polyfills = polyfillsKey === null ? null : manifest[polyfillsKey]!.file;
  return { polyfills, entries: files, modern };
}

/**
 * The tags in plugin-legacy's document order (its head tags, then its body tags), each with the
 * request's nonce; `sri` gives the polyfills script its integrity (null: integrity off). With
 * several entries, the first keeps Vite's id and the others get `-2`, `-3`, ... so each
 * `System.import` finds its own `data-src`.
 */
export function compileLegacyScripts(
  plan: LegacyPlan,
  base: string,
  sri: Readonly<Record<string, string>> | null,
  options: TagOptions,
): CompiledTags {
  const nomodule: Attribute[] = plan.modern ? [["nomodule", true]] : [];
  const ids = plan.entries.map((_, i) => (i === 0 ? ENTRY_ID : `${ENTRY_ID}-${i + 1}`));
  const scripts: ScriptSpec[] = [];
  const inline = (attributes: Attribute[], code: string): ScriptSpec => ({
    attributes,
    code,
    kind: "inline-script",
    url: "",
  });
  if (plan.modern && plan.polyfills) {
    scripts.push(inline([["type", "module"]], DETECT_MODERN));
    scripts.push(inline([["type", "module"]], dynamicFallback(ids.map(systemImport).join(";"))));
  }
  if (plan.modern) scripts.push(inline([["nomodule", true]], SAFARI10_NOMODULE_FIX));
  if (plan.polyfills) {
    const url = joinUrl(base, plan.polyfills);
    const attributes: Attribute[] = [...nomodule, ["crossorigin", true], ["id", POLYFILL_ID]];
    attributes.push(["src", url]);
    const integrity = sri && Object.hasOwn(sri, plan.polyfills) ? sri[plan.polyfills] : undefined;
    if (integrity) attributes.push(["integrity", integrity]);
    scripts.push({ attributes, code: "", kind: "script", url });
  }
  for (const [i, file] of plan.entries.entries()) {
    const attributes: Attribute[] = [...nomodule, ["crossorigin", true], ["id", ids[i]!]];
    attributes.push(["data-src", joinUrl(base, file)]);
    scripts.push(inline(attributes, systemImport(ids[i]!)));
  }
  return compileScripts(scripts, options);
}
