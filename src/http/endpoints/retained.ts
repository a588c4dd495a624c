import type { RetainedAsset, ViteRolling } from "../../types.js";
import { retainedAnswer } from "../answers.js";
import type { Answer, Endpoint } from "../contract.js";

// Module-level: the promise path makes no closure per request.
const answerOf = (asset: RetainedAsset | null): Answer | null => asset && retainedAnswer(asset);

/**
 * A hashed file of another kept release (`retainAssets`), for a tab still on that release.
 * The engine says synchronously that a path is none of those (the common path: null, no
 * promise); a registry miss resolves to null, for the app's static server may still have it.
 */
export function retainedEndpoint(vr: ViteRolling): Endpoint {
  return function retained(req) {
    if (req.method !== "GET" && req.method !== "HEAD") return null;
    const asset = vr.retainedAsset(req.path);
    return asset ? asset.then(answerOf) : null;
  };
}
