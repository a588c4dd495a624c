import { defineConfig } from "vitest/config";

/**
 * Two projects: `unit` (pure code, plain data, no service, no build) and `e2e` (real Vite builds,
 * Redis, nginx, Chromium, frameworks over HTTP). `npm test` runs both; `npm run test:unit` is the
 * fast loop. Only e2e needs the global setup (services, dist/).
 */
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Real builds, servers and browsers: keep parallelism modest on a 2-core machine.
    maxWorkers: 3,
    reporters: ["default"],
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: ["test/**/*.e2e.test.ts", "**/node_modules/**"],
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["test/**/*.e2e.test.ts"],
          globalSetup: ["test/helpers/global-setup.ts"],
        },
      },
    ],
  },
});
