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

/**
 * Waits until every payload of `expected` has been received (compared as JSON), then returns the data
 * received so far, in order, duplicates included. It waits for content, never for a count: a
 * duplicate or a stray message cannot end the wait before an expected message arrives, so the
 * caller's exact assertion then reports a duplicate as a duplicate, not as a missing message.
 */
export async function receivedAll(page, expected, timeout = 15000) {
  try {
    await page.waitForFunction(
      (want) => {
        const got = new Set(window.received.map((r) => JSON.stringify(r.data)));
        return want.every((w) => got.has(JSON.stringify(w)));
      },
      expected,
      { timeout, polling: 50 }
    );
  } catch (e) {
    const got = await page.evaluate(() => window.received.map((r) => r.data)).catch(() => "(page gone)");
    throw new Error(`not every expected message arrived within ${timeout} ms: expected ${
      JSON.stringify(expected)}, received ${JSON.stringify(got)} (${e.message.split("\n")[0]})`);
  }
  return page.evaluate(() => window.received.map((r) => r.data));
}

/**
 * Records every completed poll of a page (form fields asked, messages answered), to check what the
 * server sent against what the client asked. Only for non-streamed replies (whole JSON arrays).
 */
export function recordPolls(page) {
  const polls = [];
  page.on("requestfinished", async (request) => {
    if (!/\/message-bus\/[^/]+\/poll/.test(request.url())) return;
    try {
      const response = await request.response();
      if (!response || response.status() !== 200) return;
      const asked = Object.fromEntries(new URLSearchParams(request.postData() ?? ""));
      const messages = JSON.parse(await response.text());
      polls.push({ seq: Number(asked.__seq), asked, messages });
    } catch (e) {
      polls.push({ error: String(e) }); // the page closed, or a reply that is not JSON: shows in asserts
    }
  });
  return polls;
}
