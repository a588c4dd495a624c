// `npm run demo:deploy`: builds the next release next to the running one, registers it
// (`vite-rolling refresh`), and tells the `npm start` process to roll over to it.
import { buildRelease, nextRelease } from "./release.mjs";

const PORT = Number(process.env.PORT ?? 3000);
const release = nextRelease();
console.log(`building release ${release}...`);
await buildRelease(release);
const answer = await fetch(`http://127.0.0.1:${PORT}/__demo/roll?release=${release}`, {
  method: "POST",
}).catch(() => null);
if (!answer?.ok) {
  console.error(
    `demo:deploy: no demo answered on port ${PORT}; start it with \`npm start\` first.`,
  );
  process.exit(1);
}
console.log(await answer.text());
