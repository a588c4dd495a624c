import express from "express";
import { createViteRolling, setStaticHeaders } from "vite-rolling";
import { viteRolling } from "vite-rolling/express";

const vr = createViteRolling({ manifestPath: "dist/.vite/manifest.json" });
await vr.ready();

const app = express();
app.use(viteRolling(vr)); // X-App-Version, /version, /cache/bust, res.locals.vite
// The built files under vite.config.js's base; hashed names are cached for a year.
app.use("/static", express.static("dist", { setHeaders: setStaticHeaders }));
app.get("/", (_req, res) => {
  const { vite } = res.locals;
  res.send(`<!doctype html>
<html>
  <head><title>Hello</title>${vite.styles("src/main.js")}</head>
  <body><h1>Hello</h1>${vite.scripts("src/main.js")}</body>
</html>`);
});

const port = Number(process.env.PORT ?? 3000);
app.listen(port, () => console.log(`http://localhost:${port}/`));
