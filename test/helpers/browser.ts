import { type Browser, chromium } from "playwright-core";

/** Debian's Chromium; tests never download a browser. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Flags for a quiet, headless Chromium in a container (no sandbox as root, no GPU, no pings). */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** Launches the system Chromium headless; close it in `afterAll` (one browser per file). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}
