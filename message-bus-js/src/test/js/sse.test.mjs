// End to end: the Server-Sent Events transport of our client (MessageBus.transports) in headless
// Chromium against our real Java server (E2eServer, whose streams end after the long-polling interval
// so that resumption is exercised). Every test has its own browser context and its own channels.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { browserSkip, openClient, positioned, receivedAll } from "./support/browser.mjs";
import { chromiumSuite, FAST, until } from "./support/suite.mjs";

const skip = browserSkip();
const suite = chromiumSuite(skip, { longPollingMs: 1500 });

const SSE = { ...FAST, transports: ["sse", "long-poll"] };
const SUITE = { skip, timeout: 10 * 60_000 };

let seq = 0;
const unique = (name) => `/sse/${name}/${Date.now().toString(36)}-${++seq}`;

async function requestsOf(clientId) {
  return (await suite.server.control("/polls")).filter((p) => p.clientId === clientId);
}

describe("Server-Sent Events in Chromium", SUITE, () => {
  it("delivers messages over an EventSource, one stream for several channels", () =>
    suite.withContext(async (context) => {
      const page = await openClient(context, suite.server.busUrl, "ours", SSE);
      const [a, b] = [unique("a"), unique("b")];
      await page.evaluate(([x, y]) => {
        window.sub(x);
        window.sub(y);
      }, [a, b]);
      await positioned(page);
      for (const d of ["a1", "a2"]) await suite.server.publish(a, d);
      await suite.server.publish(b, "b1");

      assert.deepEqual(await receivedAll(page, ["a1", "a2", "b1"]), ["a1", "a2", "b1"]);
      assert.equal(await page.evaluate(() => window.MessageBus.activeTransport), "sse");
      const clientId = await page.evaluate(() => window.MessageBus.clientId);
      const requests = await requestsOf(clientId);
      assert.ok(requests.length > 0);
      for (const r of requests) assert.equal(r.sse, true, "every request was an event stream: " + JSON.stringify(r));
    }));

  it("resumes with Last-Event-ID when the server ends the stream: nothing lost, nothing repeated", () =>
    suite.withContext(async (context) => {
      const page = await openClient(context, suite.server.busUrl, "ours", SSE);
      const [a, b] = [unique("ra"), unique("rb")];
      await page.evaluate(([x, y]) => {
        window.sub(x);
        window.sub(y);
      }, [a, b]);
      await positioned(page);
      const clientId = await page.evaluate(() => window.MessageBus.clientId);
      const resumed = async () => (await requestsOf(clientId)).filter((r) => r.lastEventId !== "").length;

      // Publish, one message at a time, on both channels until the browser reconnected twice with
      // Last-Event-ID (each stream lasts 1.2–1.5 s, and the browser waits 200 ms before reconnecting).
      const expected = [];
      for (let i = 0; (await resumed()) < 2 && i < 2000; i++) {
        const d = `m${i}`;
        await suite.server.publish(i % 2 === 0 ? a : b, d);
        expected.push(d);
        await receivedAll(page, [d]);
      }
      // and a burst that lands whenever it lands, stream end or not
      for (let i = 0; i < 20; i++) {
        const d = `burst${i}`;
        await suite.server.publish(i % 2 === 0 ? a : b, d);
        expected.push(d);
      }

      assert.deepEqual(await receivedAll(page, expected, 20000), expected);
      assert.ok((await resumed()) >= 2);
      for (const r of await requestsOf(clientId)) assert.equal(r.sse, true);
      const ids = (await requestsOf(clientId)).map((r) => r.lastEventId).filter((id) => id !== "");
      for (const id of ids) assert.match(id, /^\d+,\d+$/, "one position per channel");
    }));

  it("falls back to long polling when the server refuses the event stream", () =>
    suite.withContext(async (context) => {
      await suite.server.control("/refuse-sse", { refuse: true });
      try {
        const page = await openClient(context, suite.server.busUrl, "ours", SSE);
        const ch = unique("fallback");
        await page.evaluate((c) => window.sub(c), ch);
        await positioned(page);
        await suite.server.publish(ch, "over a poll");

        assert.deepEqual(await receivedAll(page, ["over a poll"]), ["over a poll"]);
        assert.equal(await page.evaluate(() => window.MessageBus.activeTransport), "long-poll");
        const clientId = await page.evaluate(() => window.MessageBus.clientId);
        const requests = await requestsOf(clientId);
        assert.equal(requests[0].sse, true, "tried the event stream first");
        assert.equal(requests[0].status, 404);
        assert.ok(requests.length >= 2);
        for (const r of requests.slice(1)) assert.equal(r.sse, false, "then long polls only");
      } finally {
        await suite.server.control("/refuse-sse", { refuse: false });
      }
    }));

  it("long-polls while MessageBus.headers is set: EventSource cannot send them", () =>
    suite.withContext(async (context) => {
      const page = await openClient(context, suite.server.busUrl, "ours", { ...SSE, headers: { "X-User-Id": "7" } });
      const ch = unique("headers");
      await page.evaluate((c) => window.sub(c), ch);
      await positioned(page);
      await suite.server.publish(ch, "for user 7", { userIds: [7] });
      await suite.server.publish(ch, "for user 8", { userIds: [8] });
      await suite.server.publish(ch, "for all");

      assert.deepEqual(await receivedAll(page, ["for user 7", "for all"]), ["for user 7", "for all"]);
      assert.equal(await page.evaluate(() => window.MessageBus.activeTransport), "long-poll");
      const clientId = await page.evaluate(() => window.MessageBus.clientId);
      for (const r of await requestsOf(clientId)) assert.equal(r.sse, false);
    }));

  it("keeps long polling by default (transports not set)", () =>
    suite.withContext(async (context) => {
      const page = await openClient(context, suite.server.busUrl, "ours", FAST);
      const ch = unique("default");
      await page.evaluate((c) => window.sub(c), ch);
      await positioned(page);
      await suite.server.publish(ch, "polled");

      assert.deepEqual(await receivedAll(page, ["polled"]), ["polled"]);
      const clientId = await page.evaluate(() => window.MessageBus.clientId);
      for (const r of await requestsOf(clientId)) assert.equal(r.sse, false);
    }));

  it("shares one event stream among the tabs with shareConnection", () =>
    suite.withContext(async (context) => {
      const settings = { ...SSE, shareConnection: true };
      const leader = await openClient(context, suite.server.busUrl, "ours", settings);
      const ch = unique("shared");
      await leader.evaluate((c) => window.sub(c), ch);
      await positioned(leader);
      await leader.waitForFunction(() => window.MessageBus.diagnostics().role === "leader");

      const follower = await openClient(context, suite.server.busUrl, "ours", settings);
      const other = unique("shared-other");
      await follower.evaluate(([c, o]) => {
        window.sub(c);
        window.sub(o);
      }, [ch, other]);
      await follower.waitForFunction(() => window.MessageBus.diagnostics().role === "follower");
      await positioned(follower);
      await suite.server.publish(ch, "s1");
      await suite.server.publish(other, "o1");

      assert.deepEqual(await receivedAll(leader, ["s1"]), ["s1"]);
      assert.deepEqual((await receivedAll(follower, ["s1", "o1"])).sort(), ["o1", "s1"]);
      const clientId = await leader.evaluate(() => window.MessageBus.clientId);
      await until(async () => (await requestsOf(clientId)).length > 0);
      for (const r of await requestsOf(clientId)) assert.equal(r.sse, true);
    }));
});
