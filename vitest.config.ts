import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/helpers/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Real builds, servers and browsers: keep parallelism modest on a 2-core machine.
    maxWorkers: 3,
    reporters: ["default"],
  },
});
