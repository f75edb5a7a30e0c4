// Launches Debian's Chromium through playwright-core (no browser download), and the page helpers the
// end-to-end tests share. Without Chromium the suites are skipped loudly, unless CI=true: then they fail.
import { existsSync } from "node:fs";
import { chromium } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** false when the browser suites may run; otherwise the reason they are skipped. */
export function browserSkip() {
  if (existsSync(CHROMIUM)) return false;
  if (process.env.CI === "true") return false; // run, and fail in launch()
  const reason = `SKIPPED: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH); with CI=true this fails`;
  console.warn("\n*** " + reason + " ***\n");
  return reason;
}

export async function launch() {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is required (CI=true) but missing at ${CHROMIUM}`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * Opens the empty e2e page and loads a client: "ours" (from /message-bus-assets/, served by
 * MessageBusServer), "ours-esm" (the ES module build), "ours-jquery" (ours with ajax = jQuery.ajax) or
 * "stock" (message-bus-client 4.5 with jQuery).
 * Applies `settings` to MessageBus and installs window.received plus window.sub(channel, lastId).
 */
export async function openClient(context, busUrl, flavor, settings = {}) {
  const page = await context.newPage();
  page.on("pageerror", (e) => console.error(`[page ${flavor}] ${e}`));
  await page.goto(busUrl + "/index.html");
  if (flavor === "ours") {
    await page.addScriptTag({ url: "/message-bus-assets/message-bus.js" });
  } else if (flavor === "ours-esm") {
    await page.addScriptTag({
      type: "module",
      content: 'import MB from "/message-bus-assets/message-bus.mjs"; window.MessageBus = MB;',
    });
    await page.waitForFunction(() => window.MessageBus !== undefined);
  } else if (flavor === "ours-jquery") {
    await page.addScriptTag({ url: "/stock/jquery.js" });
    await page.addScriptTag({ url: "/message-bus-assets/message-bus.js" });
    await page.evaluate(() => {
      window.MessageBus.ajax = window.jQuery.ajax;
    });
  } else if (flavor === "stock") {
    await page.addScriptTag({ url: "/stock/jquery.js" });
    await page.addScriptTag({ url: "/stock/message-bus.js" });
  } else {
    throw new Error("unknown flavor " + flavor);
  }
  await page.evaluate((s) => {
    Object.assign(window.MessageBus, s);
    window.received = [];
    window.subs = {};
    window.sub = (channel, lastId) => {
      const f = (data, globalId, messageId) => window.received.push({ channel, data, globalId, messageId });
      window.subs[channel] = f;
      window.MessageBus.subscribe(channel, f, lastId);
    };
  }, settings);
  return page;
}

/** Waits until every callback knows its position (after the first reply of a -1 subscription). */
export async function positioned(page) {
  await page.waitForFunction(() => window.MessageBus.callbacks.every((c) => c.last_id >= 0), null, {
    timeout: 15000,
  });
}

/** Waits until `count` messages were received; returns the received data. */
export async function receivedData(page, count, timeout = 15000) {
  await page.waitForFunction((n) => window.received.length >= n, count, { timeout });
  return page.evaluate(() => window.received.map((r) => r.data));
}
