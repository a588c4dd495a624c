// The HTTP surface under adversarial input (issues 12 and 14), in-process through the real
// core over a real build: who gets a stale answer, where it can send a tab, and fast-check
// over request paths and headers (no 5xx, no foreign error, every header value header-safe).
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createViteRolling } from "../../src/engine/front.js";
import { ViteRollingError } from "../../src/errors.js";
import { redirectTarget } from "../../src/http/answers.js";
import type { Answer, Handled, RequestFacts } from "../../src/http/contract.js";
import { createHttpCore } from "../../src/http/core.js";
import type { ViteRolling } from "../../src/types.js";
import { isSafeHeaderValue } from "../../src/util/safe-header-value.js";
import { viteRolling as vitePlugin } from "../../src/vite/plugin.js";
import { tempDir } from "../helpers/tmp.js";
import { buildApp } from "../helpers/vite.js";

const work = tempDir("surface-fuzz");
let manifestPath: string;
const created: ViteRolling[] = [];
async function make(options: Record<string, unknown> = {}): Promise<ViteRolling> {
  const vr = createViteRolling({
    manifestPath,
    dev: false,
    base: "/static/",
    registryDir: join(work.path, "registry"),
    logger: { warn() {} },
    ...options,
  });
  created.push(vr);
  await vr.ready();
  return vr;
}
/** A GET of /page unless `facts` says otherwise. */
function request(facts: Partial<RequestFacts>): RequestFacts {
  return { method: "GET", path: "/page", url: "/page", headers: {}, ...facts };
}

beforeAll(async () => {
  ({ manifestPath } = await buildApp(
    work.path,
    { "src/main.ts": "console.log(1);\n" },
    {
      base: "/static/",
      plugins: [vitePlugin()],
      build: { rollupOptions: { input: "src/main.ts" } },
    },
  ));
});
afterAll(async () => {
  await Promise.all(created.map((vr) => vr.close()));
  work.cleanup();
});

const STALE_HTMX = { "hx-request": "true", "hx-boosted": "true", "x-client-version": "old" };
const STALE_INERTIA = { "x-inertia": "true", "x-inertia-version": "old" };

describe("who gets a stale answer (issue 12)", () => {
  it("no stale answer to a request the script sent: the script and its guard decide", async () => {
    const core = createHttpCore(await make());
    for (const stale of [STALE_HTMX, STALE_INERTIA]) {
      // Negative control: the same request without the header is answered.
      expect(core.handle(request({ headers: stale }))).not.toBeNull();
      expect(core.handle(request({ headers: { ...stale, "x-vite-rolling": "1" } }))).toBeNull();
    }
  });

  it.each(["warn", "ignore"])("appVersionMismatch %s never navigates", async (mismatch) => {
    const core = createHttpCore(await make({ appVersionMismatch: mismatch }));
    expect(core.handle(request({ headers: STALE_HTMX }))).toBeNull();
    expect(core.handle(request({ headers: { ...STALE_HTMX, "hx-boosted": "" } }))).toBeNull();
    expect(core.handle(request({ headers: STALE_INERTIA }))).toBeNull();
  });

  it("a stale fragment reloads the page it is on (once), never its own URL; a POST reaches the app", async () => {
    const core = createHttpCore(await make());
    const fragment = (url: string, cookie?: string) =>
      core.handle(
        request({
          path: url,
          url,
          headers: {
            "hx-request": "true",
            "x-client-version": "old",
            "hx-current-url": "http://site.example/inbox?page=2",
            ...(cookie ? { cookie } : {}),
          },
        }),
      ) as Answer | null;
    const first = fragment("/frag/poll")!;
    expect(first.headers).toMatchObject({ "hx-refresh": "true" });
    expect(first.headers).not.toHaveProperty("hx-redirect");
    const cookie = first.headers["set-cookie"]!.split(";")[0]!;
    // The guard is keyed on the page reloaded: another fragment of that page passes too.
    expect(fragment("/frag/other", `theme=dark; ${cookie}`)).toBeNull();
    expect(
      core.handle(request({ method: "POST", headers: { ...STALE_HTMX, "hx-boosted": "" } })),
    ).toBeNull();
  });
});

describe("redirect targets stay on the origin (issue 12)", () => {
  it("for 10,000 arbitrary request targets", () => {
    const piece = fc.oneof(
      fc.constantFrom("/", "//", "\\", "/\\", "..", ".", "%2e", "%2E%2e", "%2f", "%5c", "?", "#"),
      fc.constantFrom("evil.example", "@evil", ":443", "http:", "javascript:", "\t", "\n", " "),
      fc.string({ unit: "binary", maxLength: 6 }),
    );
    const target = fc.oneof(
      fc.array(piece, { maxLength: 12 }).map((parts) => parts.join("")),
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
      fc.webPath(),
    );
    fc.assert(
      fc.property(target, (url) => {
        const result = redirectTarget(url);
        expect(result.startsWith("/")).toBe(true);
        expect(result.startsWith("//") || result.startsWith("/\\")).toBe(false);
        expect(new URL(result, "https://origin.example").origin).toBe("https://origin.example");
        expect(isSafeHeaderValue(result)).toBe(true);
      }),
      { numRuns: 10_000 },
    );
  });
});

describe("fuzzing the core's handle, helpers and injection (issue 14)", () => {
  it("10,000 requests: no 5xx, no foreign error, header-safe headers", async () => {
    const vr = await make({ retainAssets: true, secret: "fuzz-secret" });
    const core = createHttpCore(vr);
    const text = fc.oneof(
      fc.string({ unit: "binary", maxLength: 40 }),
      fc.constantFrom("true", "1", "old", "", "*", '"x"', 'W/"x"', vr.appVersion()),
      fc.constant(`"${vr.appVersion()}"`),
    );
    const path = fc.oneof(
      fc.constantFrom("/version", "/cache/bust", "/static/assets/x-D8kQ2xZ1.js", "/page"),
      fc.webPath(),
      fc.string({ unit: "binary", maxLength: 60 }).map((s) => `/${s}`),
      fc
        .string({ unit: "binary", maxLength: 30 })
        .map((s) => `/static/assets/${encodeURIComponent(s)}-D8kQ2xZ1.js`),
    );
    const names = fc.constantFrom(
      "hx-request",
      "hx-boosted",
      "hx-current-url",
      "hx-history-restore-request",
      "hx-request-type",
      "x-client-version",
      "x-vite-rolling",
      "x-inertia",
      "x-inertia-version",
      "if-none-match",
      "authorization",
      "cookie",
      "host",
    );
    const facts = fc.record({
      method: fc.constantFrom("GET", "HEAD", "POST", "PUT", "OPTIONS", "get"),
      path,
      query: fc.option(fc.string({ unit: "binary", maxLength: 20 })),
      headers: fc.dictionary(names, fc.oneof(text, fc.array(text, { maxLength: 2 }))),
      nonce: fc.option(text),
    });
    await fc.assert(
      fc.asyncProperty(facts, async ({ method, path, query, headers, nonce }) => {
        const req: RequestFacts = {
          method,
          path,
          url: query === null ? path : `${path}?${query}`,
          headers,
        };
        let answer: Answer | null;
        try {
          const handled: Handled = core.handle(req);
          answer = handled instanceof Promise ? await handled : handled;
          const helpers = core.helpersFor(
            { nonce: () => nonce ?? undefined, hints: () => null },
            req,
            typeof headers.host === "string" ? headers.host : undefined,
          );
          const page = helpers.styles("src/main.ts") + helpers.scripts("src/main.ts");
          core.inject(`<html><head></head><body>${page}</body></html>`, nonce ?? undefined);
        } catch (error) {
          expect(error).toBeInstanceOf(ViteRollingError);
          return;
        }
        if (!answer) return;
        expect(answer.status).toBeLessThan(500);
        for (const [name, value] of Object.entries(answer.headers)) {
          expect([name, isSafeHeaderValue(value)]).toEqual([name, true]);
        }
      }),
      { numRuns: 10_000 },
    );
  }, 120_000);
});
