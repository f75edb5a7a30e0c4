// End to end: the live dashboard of the diagnostics page (message-bus-http's diagnostics.js) in
// headless Chromium against our real Java server (E2eServer; requests with X-Admin: 1 are an
// administrator's). The test publishes a known number of messages, opens the page as an admin and
// reads the numbers from the DOM; a visitor who is not an admin gets 403 for the page and its JSON.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { browserSkip } from "./support/browser.mjs";
import { chromiumSuite } from "./support/suite.mjs";

const skip = browserSkip();
const suite = chromiumSuite(skip, { longPollingMs: 1500 });
const SUITE = { skip, timeout: 5 * 60_000 };
const ADMIN = { "X-Admin": "1" };

/** The text of every cell of the channel's row, by column, once the row shows `messages`. */
async function channelRow(page, channel, messages) {
  const row = `#mb-channels tr[data-channel="${channel}"]`;
  await page.waitForFunction(
    ([selector, n]) => {
      const cell = document.querySelector(selector + ' td[data-col="messages"]');
      return cell !== null && cell.textContent === String(n);
    },
    [row, messages],
    { timeout: 20000, polling: 100 }
  );
  return page.$$eval(row + " td", (cells) =>
    Object.fromEntries(cells.map((c) => [c.getAttribute("data-col"), c.textContent]))
  );
}

const stat = (page, name) => page.$eval(`#mb-dashboard [data-stat="${name}"]`, (e) => e.textContent);

describe("the diagnostics dashboard in Chromium", SUITE, () => {
  it("shows the publishes, the busiest channels with backlog and last id, the backend and charts", () =>
    suite.withContext({ extraHTTPHeaders: ADMIN }, async (context) => {
      const [a, b] = ["/dash/busy", "/dash/quiet"];
      let lastA = 0;
      let lastB = 0;
      for (let i = 0; i < 6; i++) lastA = await suite.server.publish(a, `a${i}`);
      for (let i = 0; i < 3; i++) lastB = await suite.server.publish(b, `b${i}`);

      const page = await context.newPage();
      page.on("pageerror", (e) => console.error(`[dashboard] ${e}`));
      await page.goto(suite.server.busUrl + "/message-bus/_diagnostics");

      // The busiest channel first, then the other; messages, backlog and last id are exact.
      const rowA = await channelRow(page, a, 6);
      const rowB = await channelRow(page, b, 3);
      assert.equal(rowA.channel, a);
      assert.equal(rowA.backlog, "6");
      assert.equal(rowA.last_id, String(lastA));
      assert.equal(rowB.backlog, "3");
      assert.equal(rowB.last_id, String(lastB));
      const order = await page.$$eval("#mb-channels tbody tr", (rows) => rows.map((r) => r.getAttribute("data-channel")));
      assert.deepEqual(order.slice(0, 2), [a, b]);

      // Totals: every publish of this process (the server has no keepalive), each dispatched once.
      assert.equal(await stat(page, "publishes"), "9");
      assert.equal(await stat(page, "dispatched"), "9");
      assert.equal(await stat(page, "websockets"), "0");
      assert.match(await stat(page, "process"), /pid \d+, up \d+ secs/);

      // The backend: the memory bus, connected, nothing queued, no reconnects.
      const backend = await page.$$eval("#mb-backend tbody td", (cells) =>
        Object.fromEntries(cells.map((c) => [c.getAttribute("data-col"), c.textContent]))
      );
      assert.deepEqual(
        { name: backend.name, state: backend.state, queued: backend.queued, reconnects: backend.reconnects },
        { name: "memory", state: "connected", queued: "0", reconnects: "0" }
      );
      assert.match(await stat(page, "errors"), /listener failures 0/);

      // The page's own long poll (process discovery) is held: the held-polls tile shows it.
      await page.waitForFunction(
        () => Number(document.querySelector('#mb-dashboard [data-stat="held_polls"]').textContent) >= 1,
        null,
        { timeout: 20000, polling: 100 }
      );

      // Four charts of the last minutes, drawn as inline SVG once two samples exist.
      const charts = await page.$$eval("#mb-dashboard figure[data-chart]", (fs) => fs.map((f) => f.getAttribute("data-chart")));
      assert.deepEqual(charts, ["held_polls", "publishes", "delivered", "errors"]);
      await page.waitForFunction(
        () =>
          [...document.querySelectorAll("#mb-dashboard figure[data-chart] svg polyline")].every(
            (l) => (l.getAttribute("points") || "").split(" ").length >= 2
          ),
        null,
        { timeout: 20000, polling: 200 }
      );

      // More publishes show up on the next refresh.
      for (let i = 6; i < 10; i++) lastA = await suite.server.publish(a, `a${i}`);
      const again = await channelRow(page, a, 10);
      assert.equal(again.last_id, String(lastA));
      assert.equal(await stat(page, "publishes"), "13");

      // The discovery part of the page is still there.
      assert.equal(await page.textContent("h1"), "Message Bus Diagnostics");
      assert.ok(await page.$("text=Discover Processes"));
    }));

  it("is for administrators only: the page and its JSON answer 403 to others", () =>
    suite.withContext({}, async (context) => {
      const page = await context.newPage();
      const response = await page.goto(suite.server.busUrl + "/message-bus/_diagnostics");
      assert.equal(response.status(), 403);
      const json = await page.evaluate(async () => {
        const r = await fetch("/message-bus/_diagnostics/stats.json");
        return [r.status, await r.text()];
      });
      assert.deepEqual(json, [403, "not allowed"]);
    }));
});
