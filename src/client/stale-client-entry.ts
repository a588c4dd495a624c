/**
 * Build entry of the stale-client script. The server renders it, inline or as the external
 * file the middleware serves, in a classic `<script>` whose `data-config` attribute holds the
 * config as JSON (`renderVersionTags`): one script text for both forms, so the external file
 * is the same for every release and a browser fetches it once per library version.
 * `document.currentScript` is that element while a classic script runs (inline or `src`,
 * parser-blocking); a copy htmx re-runs from a swapped-in <head> is one too.
 */
import { installStaleClient } from "./stale-client.js";

installStaleClient(JSON.parse((document.currentScript as HTMLScriptElement).dataset.config!));
