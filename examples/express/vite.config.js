import { defineConfig } from "vite";
import viteRolling from "vite-rolling/vite";

export default defineConfig({
  base: "/static/", // the path server.js serves dist/ under
  plugins: [viteRolling()],
  build: {
    manifest: true,
    emptyOutDir: false, // tabs still open on the previous release load its files
    rollupOptions: { input: "src/main.js" }, // the entry server.js names
  },
});
