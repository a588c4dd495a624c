import type { ViteRolling } from "../../types.js";
import { jsonAnswer, methodNotAllowed } from "../answers.js";
import { verifyBearer } from "../bust-token.js";
import type { Answer, Endpoint, RequestFacts } from "../contract.js";

const CHALLENGE = 'Bearer realm="vite-rolling"';

/**
 * `POST /cache/bust` (option `cacheBustPath`): a deploy script, holding the bearer token the
 * secret derives, makes this instance reload its release. Null without a secret: the endpoint
 * does not exist then.
 *
 * @param scope The adapter's name, for the warning a failed reload logs.
 */
export function bustEndpoint(
  vr: ViteRolling,
  secret: string | null,
  scope: string,
): Endpoint | null {
  if (!secret) return null;
  const { cacheBustPath } = vr.options;
  return function bust(req) {
    if (req.path !== cacheBustPath) return null;
    if (req.method === "POST") return bustAnswer(vr, secret, scope, req);
    return methodNotAllowed("POST");
  };
}

async function bustAnswer(
  vr: ViteRolling,
  secret: string,
  scope: string,
  req: RequestFacts,
): Promise<Answer> {
  const verdict = verifyBearer(req.headers.authorization, secret);
  if (verdict === "missing")
    return jsonAnswer(
      401,
      { ok: false, error: "missing bearer token" },
      { "www-authenticate": CHALLENGE },
    );
  if (verdict === "malformed")
    return jsonAnswer(
      401,
      { ok: false, error: "malformed Authorization header; expected: Bearer <token>" },
      { "www-authenticate": `${CHALLENGE}, error="invalid_request"` },
    );
  if (verdict !== "ok") return jsonAnswer(403, { ok: false, error: "invalid token" });
  const previous = vr.appVersion();
  try {
    const info = await vr.reload();
    return jsonAnswer(200, { ok: true, version: info.version, previous });
  } catch (error) {
    // The caller is authenticated (a deploy script): tell it why, keep serving the release
    // already loaded, and let it retry; never a 5xx the platform would read as "app down".
    const reason = error instanceof Error ? error.message : String(error);
    vr.options.logger.warn(
      `[vite-rolling] [${scope}] ${vr.options.cacheBustPath}: reload failed: ${reason}`,
    );
    return jsonAnswer(
      503,
      { ok: false, error: "reload failed", reason, version: vr.appVersion() },
      { "retry-after": "5" },
    );
  }
}
