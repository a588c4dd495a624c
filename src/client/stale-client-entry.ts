/**
 * Build entry of the inline stale-client script. The server renders it inside a block that
 * first declares the config: `{const __viteRollingConfig={...};<script>}`. A free identifier
 * survives minification untouched, and the block keeps it out of the global scope.
 */
import { installStaleClient, type StaleClientConfig } from "./stale-client.js";

declare const __viteRollingConfig: StaleClientConfig;

installStaleClient(__viteRollingConfig);
