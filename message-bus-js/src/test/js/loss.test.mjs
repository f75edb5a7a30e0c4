// End to end: the explicit loss signal (MessageBus.onLoss) in headless Chromium against our real Java
// server (E2eServer), over each transport. A channel keeps 3 messages (maxBacklogSize on each
// publish); the client subscribes at a position older than what is retained, as a client that was
// away does, and must be told which ids of which channel are gone, then receive what is retained,
// each message once. Every test has its own browser context and its own channel.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { browserSkip, openClient, receivedAll } from "./support/browser.mjs";
import { chromiumSuite, FAST } from "./support/suite.mjs";

const skip = browserSkip();
const suite = chromiumSuite(skip, { longPollingMs: 1500 });

const SUITE = { skip, timeout: 10 * 60_000 };

let seq = 0;
const unique = (name) => `/loss/${name}/${Date.now().toString(36)}-${++seq}`;

/**
 * Publishes 70 messages keeping 3 (more than the server's recent window holds, 64, which would still
 * deliver what the store trimmed): returns the ids, the first one being the client's position.
 */
async function publishAndTrim(channel) {
  const ids = [];
  for (let i = 0; i < 70; i++) ids.push(await suite.server.publish(channel, `m${i}`, { maxBacklogSize: 3 }));
  return ids;
}

/** Opens a client with a loss listener recording into window.losses and the bus requests' URLs. */
async function lossClient(context, transports) {
  const page = await openClient(context, suite.server.busUrl, "ours", { ...FAST, transports });
  const urls = [];
  page.on("request", (r) => urls.push(r.url()));
  page.on("websocket", (ws) => ws.on("framesent", (f) => urls.push("frame " + f.payload)));
  await page.evaluate(() => {
    window.losses = [];
    window.MessageBus.onLoss((channel, loss) => window.losses.push({ channel, ...loss }));
  });
  return { page, urls };
}

for (const transport of ["long-poll", "sse", "websocket"]) {
  describe(`loss signal over ${transport} in Chromium`, SUITE, () => {
    it("names the channel and the id range trimmed before the client's position, then delivers what is retained once", () =>
      suite.withContext(async (context) => {
        const ch = unique(transport);
        const ids = await publishAndTrim(ch);
        const { page, urls } = await lossClient(context, [transport, "long-poll"]);

        await page.evaluate(([c, p]) => window.sub(c, p), [ch, ids[0]]);

        assert.deepEqual(await receivedAll(page, ["m67", "m68", "m69"]), ["m67", "m68", "m69"]);
        await page.waitForFunction(() => window.losses.length > 0, null, { timeout: 15000 });
        assert.deepEqual(await page.evaluate(() => window.losses), [
          { channel: ch, from: ids[0] + 1, to: ids[67] - 1, reset: false },
        ]);
        assert.equal(await page.evaluate(() => window.MessageBus.activeTransport), transport);
        if (transport === "websocket") {
          assert.ok(urls.some((u) => u.startsWith("frame ") && JSON.parse(u.slice(6)).loss === true), urls.join("\n"));
        } else {
          assert.ok(urls.some((u) => /\/message-bus\/[^/]+\/(poll|sse)\?(.*&)?__loss=1/.test(u)), urls.join("\n"));
        }

        // the next messages come live, with no further loss reported
        await suite.server.publish(ch, "m70", { maxBacklogSize: 3 });
        assert.deepEqual(await receivedAll(page, ["m70"]), ["m67", "m68", "m69", "m70"]);
        assert.equal(await page.evaluate(() => window.losses.length), 1);
      }));
  });
}

describe("loss signal opt-in", SUITE, () => {
  it("is not asked for without a listener: the requests are the stock client's", () =>
    suite.withContext(async (context) => {
      const ch = unique("stock");
      const ids = await publishAndTrim(ch);
      const page = await openClient(context, suite.server.busUrl, "ours", { ...FAST, transports: ["long-poll"] });
      const urls = [];
      page.on("request", (r) => urls.push(r.url()));

      await page.evaluate(([c, p]) => window.sub(c, p), [ch, ids[0]]);

      assert.deepEqual(await receivedAll(page, ["m67", "m68", "m69"]), ["m67", "m68", "m69"]);
      const polls = urls.filter((u) => u.includes("/poll"));
      assert.ok(polls.length > 0);
      for (const u of polls) assert.ok(!u.includes("__loss"), u);
    }));
});
