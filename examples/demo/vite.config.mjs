import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import viteRolling from "vite-rolling/vite";

const here = fileURLToPath(new URL(".", import.meta.url));

// One release = one build into its own folder; DEMO_RELEASE names it (see release.mjs).
const release = process.env.DEMO_RELEASE ?? "dev";

export default defineConfig({
  root: `${here}frontend`,
  base: "/static/",
  plugins: [viteRolling()],
  define: { __DEMO_RELEASE__: JSON.stringify(release) },
  logLevel: "warn",
  build: {
    outDir: `${here}.demo/releases/${release}/dist`,
    emptyOutDir: false,
    rollupOptions: {
      input: ["src/main.ts", "src/pages/items.ts", "src/print.css"].map(
        (f) => `${here}frontend/${f}`,
      ),
    },
  },
  server: { port: 3001 },
});
