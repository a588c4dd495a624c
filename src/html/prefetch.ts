import { jsonForScript } from "./escape.js";
import {
  type CompiledTags,
  compileTags,
  inlineScript,
  isNonceSlot,
  type TagOptions,
  type TagSpec,
  tagAttributes,
} from "./tags.js";

/**
 * The browser half of "waterfall" prefetching: after `load` (and after the load handlers, hence
 * the timeout), `n` links at a time, the next one as each finishes. A classic script, so
 * `document.currentScript` gives the nonce the added links carry; `links` holds each link's
 * attributes, built (and hooked) on the server like every other tag.
 */
const WATERFALL = `((links,n)=>{const nonce=document.currentScript?.nonce;const next=()=>{const attributes=links.shift();if(!attributes)return;const link=document.createElement("link");for(const name in attributes)link.setAttribute(name,attributes[name]);if(nonce)link.nonce=nonce;link.onload=link.onerror=next;document.head.append(link)};const start=()=>setTimeout(()=>{for(let i=0;i<n;i++)next()});if(document.readyState==="complete")start();else addEventListener("load",start,{once:true})})`;

/**
 * Prefetch of lazy chunks (option `prefetch`): "aggressive" writes one `<link rel="prefetch"
 * fetchpriority="low">` per file (the browser fetches them at idle priority, after the page's
 * own files); "waterfall" writes the script above with `concurrency` links in flight.
 */
export function compilePrefetch(
  urls: readonly string[],
  mode: "aggressive" | "waterfall",
  concurrency: number,
  options: TagOptions,
): CompiledTags | null {
  if (urls.length === 0) return null;
  const specs = urls.map((url): TagSpec => ({ kind: "prefetch", url, crossorigin: true }));
  if (mode === "aggressive") return compileTags(specs, options);
  const links = specs.map((spec) =>
    Object.fromEntries(
      tagAttributes(spec, options)
        .filter((attribute) => !isNonceSlot(attribute))
        .map(([name, value]) => [name, value === true ? "" : value]),
    ),
  );
  return inlineScript(`${WATERFALL}(${jsonForScript(links)},${concurrency})`, options, null);
}
