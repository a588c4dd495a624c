import { LIBRARY_FILES_PREFIX, staleClientFile } from "../../html/stale-client-file.js";
import { IMMUTABLE_CACHE_CONTROL } from "../../static/immutable-cache-control.js";
import type { ViteRolling } from "../../types.js";
import { jsonAnswer, methodNotAllowed } from "../answers.js";
import type { Answer, Endpoint } from "../contract.js";

/**
 * `GET /__vite-rolling/stale-client.<hash>.js`: the stale-client script pages link to under
 * `staleClientScript: "external"` (the default). Named by its content, so cached for a year as
 * immutable; any other name under the prefix is a 404 no cache keeps (a page of another library
 * version whose request reached this instance gets its file from the next instance it asks).
 * Null when the pages carry no external script ("inline", or `appVersionMismatch: "ignore"`).
 */
export function staleClientFileEndpoint(vr: ViteRolling): Endpoint | null {
  const o = vr.options;
  if (o.staleClientScript !== "external" || o.appVersionMismatch === "ignore") return null;
  const file = staleClientFile();
  const found: Answer = {
    status: 200,
    headers: {
      "content-type": "text/javascript; charset=utf-8",
      "cache-control": IMMUTABLE_CACHE_CONTROL,
      "x-content-type-options": "nosniff",
    },
    body: file.body,
  };
  const missing = jsonAnswer(404, { error: "not found" });
  return function staleClientScript(req) {
    if (!req.path.startsWith(LIBRARY_FILES_PREFIX)) return null;
    if (req.method !== "GET" && req.method !== "HEAD") return methodNotAllowed("GET, HEAD");
    return req.path === file.path ? found : missing;
  };
}
