// Chromium through puppeteer-core, shared by the static-site tests (lib/harness.js) and the live
// reload test (livereload.test.js, which has no built site and so cannot import the harness).
//
// Environment:
//   CHROMIUM_PATH   the browser (default /usr/bin/chromium, Debian's package)

import fs from "node:fs";
import puppeteer from "puppeteer-core";

export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

export async function launchBrowser() {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM} (on Debian: apt-get install chromium; or set CHROMIUM_PATH)`);
  }
  const args = ["--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check"];
  // Chromium refuses to start its sandbox as root (CI runs as root).
  if (process.getuid?.() === 0) args.push("--no-sandbox");
  return puppeteer.launch({ executablePath: CHROMIUM, headless: true, args, protocolTimeout: 60_000 });
}
