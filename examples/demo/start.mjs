// `npm start`: builds release r1 of the demo with real Vite, registers it, and serves it
// behind a small front proxy on PORT (default 3000). `npm run demo:deploy` (in another
// terminal) builds the next release and asks this process to roll over to it.
import { fork } from "node:child_process";
import { rmSync } from "node:fs";
import http from "node:http";
import { buildRelease, STATE } from "./release.mjs";

const PORT = Number(process.env.PORT ?? 3000);
rmSync(STATE, { recursive: true, force: true });

/** Starts an app process of `release` and resolves once it listens. */
function startRelease(release) {
  const child = fork(new URL("./server.mjs", import.meta.url), {
    env: { ...process.env, NODE_ENV: "production", RELEASE_VERSION: release, PORT: "0" },
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return new Promise((resolve, reject) => {
    child.once("message", (m) => resolve({ child, ...m }));
    child.once("exit", (code) => reject(new Error(`release ${release} exited with ${code}`)));
  });
}

let current = null;
const children = new Set();
// However this process ends, its app processes end with it.
process.on("exit", () => {
  for (const child of children) child.kill("SIGTERM");
});

/** Rolling swap: start the new process, move traffic, then stop the old one after a drain. */
async function rollTo(release) {
  const next = await startRelease(release);
  const previous = current;
  current = next;
  console.log(`→ now serving release ${release} (app version ${next.version})`);
  if (previous) setTimeout(() => previous.child.kill("SIGTERM"), 2000).unref();
}

const proxy = http.createServer((req, res) => {
  const local = req.socket.remoteAddress === "127.0.0.1" || req.socket.remoteAddress === "::1";
  if (req.method === "POST" && req.url?.startsWith("/__demo/roll?release=") && local) {
    const release = new URL(req.url, "http://x").searchParams.get("release");
    rollTo(release).then(
      () => res.end(`rolled to ${release}\n`),
      (error) => {
        res.statusCode = 500;
        res.end(`${error.message}\n`);
      },
    );
    return;
  }
  const upstream = http.request(
    {
      host: "127.0.0.1",
      port: current.port,
      method: req.method,
      path: req.url,
      headers: req.headers,
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on("error", () => {
    res.statusCode = 502;
    res.end();
  });
  req.pipe(upstream);
});

await buildRelease("r1");
await rollTo("r1");
proxy.listen(PORT, "127.0.0.1", () => {
  console.log(`
vite-rolling demo: http://127.0.0.1:${PORT}/

Try:
  - open it, click between Home / Items / About (htmx boosted navigation)
  - curl -si http://127.0.0.1:${PORT}/ | grep -i x-app-version
  - curl -s http://127.0.0.1:${PORT}/version
  - in another terminal: npm run demo:deploy   (builds the next release and rolls over;
    the open tab's "Live releases" panel shows it within seconds, without a reload; then
    click a link: the tab lands on the new release in one full load)
Stop with Ctrl-C.`);
});
const stop = () => {
  proxy.close();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
