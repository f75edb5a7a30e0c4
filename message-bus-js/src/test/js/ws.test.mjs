// End to end: the WebSocket transport of our client (MessageBus.transports) in headless Chromium
// against our real Java server (E2eServer, with its WebSocket endpoint on). Sockets are watched
// through Playwright's WebSocket events (frames sent and received, closes): upgrades never reach the
// servlet filter that records polls. Every test has its own browser context and its own channels.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { browserSkip, openClient, positioned, receivedAll } from "./support/browser.mjs";
import { chromiumSuite, FAST, until } from "./support/suite.mjs";

const skip = browserSkip();
const suite = chromiumSuite(skip, { longPollingMs: 1500 });

const WS = { ...FAST, transports: ["websocket", "long-poll"] };
const SUITE = { skip, timeout: 10 * 60_000 };

let seq = 0;
const unique = (name) => `/ws/${name}/${Date.now().toString(36)}-${++seq}`;

async function requestsOf(clientId) {
  return (await suite.server.control("/polls")).filter((p) => p.clientId === clientId);
}

/** Records the page's sockets: url, frames sent (parsed), frames received (parsed), close seen. */
function watchSockets(page) {
  const sockets = [];
  page.on("websocket", (ws) => {
    const s = { url: ws.url(), sent: [], received: [], closed: false };
    sockets.push(s);
    ws.on("framesent", (f) => s.sent.push(JSON.parse(f.payload)));
    ws.on("framereceived", (f) => s.received.push(JSON.parse(f.payload)));
    ws.on("close", () => (s.closed = true));
  });
  return sockets;
}

describe("WebSocket in Chromium", SUITE, () => {
  it("delivers messages over one WebSocket for several channels, frames shaped like poll replies", () =>
    suite.withContext(async (context) => {
      const page = await openClient(context, suite.server.busUrl, "ours", WS);
      const sockets = watchSockets(page);
      const [a, b] = [unique("a"), unique("b")];
      await page.evaluate(([x, y]) => {
        window.sub(x);
        window.sub(y);
      }, [a, b]);
      await positioned(page);
      for (const d of ["a1", "a2"]) await suite.server.publish(a, d);
      await suite.server.publish(b, "b1");

      assert.deepEqual(await receivedAll(page, ["a1", "a2", "b1"]), ["a1", "a2", "b1"]);
      assert.equal(await page.evaluate(() => window.MessageBus.activeTransport), "websocket");
      const clientId = await page.evaluate(() => window.MessageBus.clientId);
      assert.equal(sockets.length, 1, "one socket");
      assert.equal(sockets[0].url, suite.server.busUrl.replace("http:", "ws:") + `/message-bus/${clientId}/ws`);
      // the first subscribe is what a poll would ask (no __seq); the second channel came later
      const subscribed = Object.assign({}, ...sockets[0].sent.map((f) => f.subscribe ?? {}));
      assert.deepEqual(subscribed, { [a]: -1, [b]: -1 });
      for (const f of sockets[0].sent) assert.equal(f.__seq, undefined);
      for (const frame of sockets[0].received) assert.ok(Array.isArray(frame));
      assert.deepEqual(await requestsOf(clientId), [], "no poll at all");

      // a channel dropped is unsubscribed over the same socket
      await page.evaluate((x) => window.MessageBus.unsubscribe(x), b);
      await until(() => sockets[0].sent.some((f) => f.unsubscribe && f.unsubscribe.includes(b)));
      await suite.server.publish(b, "b2");
      await suite.server.publish(a, "a3");
      assert.deepEqual(await receivedAll(page, ["a3"]), ["a1", "a2", "b1", "a3"]);
      assert.equal(sockets.length, 1);
    }));

  it("resumes from the positions held after the server closed the socket: nothing lost, nothing repeated", () =>
    suite.withContext(async (context) => {
      const page = await openClient(context, suite.server.busUrl, "ours", WS);
      const sockets = watchSockets(page);
      const [a, b] = [unique("ra"), unique("rb")];
      await page.evaluate(([x, y]) => {
        window.sub(x);
        window.sub(y);
      }, [a, b]);
      await positioned(page);
      const expected = [];
      for (let i = 0; i < 6; i++) {
        const d = `before${i}`;
        await suite.server.publish(i % 2 === 0 ? a : b, d);
        expected.push(d);
      }
      await receivedAll(page, expected);

      await suite.server.control("/stop"); // closes the socket (1001, server shutting down)
      await until(() => sockets[0].closed);
      for (let i = 0; i < 6; i++) {
        const d = `during${i}`;
        await suite.server.publish(i % 2 === 0 ? a : b, d); // the bus lives on: its backlog keeps these
        expected.push(d);
      }
      await suite.server.control("/start");
      await until(() => sockets.some((s, i) => i > 0 && s.received.length > 0));
      for (let i = 0; i < 6; i++) {
        const d = `after${i}`;
        await suite.server.publish(i % 2 === 0 ? a : b, d);
        expected.push(d);
      }

      await receivedAll(page, expected, 20000);
      // exactly the expected messages of each channel, in order (a resumed backlog comes channel by
      // channel, so the two channels interleave differently than they were published)
      const got = await page.evaluate(() => window.received.map((r) => [r.channel, r.data]));
      const perChannel = (list, ch) => list.filter(([c]) => c === ch).map(([, d]) => d);
      const published = expected.map((d, i) => [(i % 6) % 2 === 0 ? a : b, d]);
      assert.deepEqual(perChannel(got, a), perChannel(published, a));
      assert.deepEqual(perChannel(got, b), perChannel(published, b));
      assert.equal(got.length, expected.length, "nothing else, nothing twice");
      assert.equal(await page.evaluate(() => window.MessageBus.activeTransport), "websocket");
      const clientId = await page.evaluate(() => window.MessageBus.clientId);
      assert.deepEqual(await requestsOf(clientId), [], "never fell back to polls");
      // the socket that delivered after the restart subscribed from the positions it held
      const resumed = sockets.find((s, i) => i > 0 && s.received.length > 0);
      const from = resumed.sent[0].subscribe;
      assert.ok(from[a] >= 0 && from[b] >= 0, "positions, not -1: " + JSON.stringify(from));
    }));

  it("falls back to long polling when the WebSocket upgrade is refused", () =>
    suite.withContext(async (context) => {
      await suite.server.control("/refuse-ws", { refuse: true });
      try {
        const page = await openClient(context, suite.server.busUrl, "ours", WS);
        const sockets = watchSockets(page);
        const ch = unique("fallback");
        await page.evaluate((c) => window.sub(c), ch);
        await positioned(page);
        await suite.server.publish(ch, "over a poll");

        assert.deepEqual(await receivedAll(page, ["over a poll"]), ["over a poll"]);
        assert.equal(await page.evaluate(() => window.MessageBus.activeTransport), "long-poll");
        assert.equal(sockets.length, 1, "tried the socket once");
        assert.deepEqual(sockets[0].received, []);
        const clientId = await page.evaluate(() => window.MessageBus.clientId);
        const polls = await requestsOf(clientId);
        assert.ok(polls.some((r) => r.status === 200 && !r.sse), "then long polls");
      } finally {
        await suite.server.control("/refuse-ws", { refuse: false });
      }
    }));

  it("long-polls while MessageBus.headers is set: a browser WebSocket cannot send them", () =>
    suite.withContext(async (context) => {
      const page = await openClient(context, suite.server.busUrl, "ours", { ...WS, headers: { "X-User-Id": "7" } });
      const warnings = [];
      page.on("console", (m) => m.type() === "warning" && warnings.push(m.text()));
      const sockets = watchSockets(page);
      const ch = unique("headers");
      await page.evaluate((c) => window.sub(c), ch);
      await positioned(page);
      await suite.server.publish(ch, "for user 7", { userIds: [7] });
      await suite.server.publish(ch, "for user 8", { userIds: [8] });
      await suite.server.publish(ch, "for all");

      assert.deepEqual(await receivedAll(page, ["for user 7", "for all"]), ["for user 7", "for all"]);
      assert.equal(await page.evaluate(() => window.MessageBus.activeTransport), "long-poll");
      assert.equal(sockets.length, 0, "no socket opened");
      assert.equal(warnings.filter((w) => /WebSocket cannot send headers/.test(w)).length, 1, "one warning");
    }));

  it("shares one WebSocket among the tabs with shareConnection", () =>
    suite.withContext(async (context) => {
      const settings = { ...WS, shareConnection: true };
      const leader = await openClient(context, suite.server.busUrl, "ours", settings);
      const sockets = watchSockets(leader);
      const ch = unique("shared");
      await leader.evaluate((c) => window.sub(c), ch);
      await positioned(leader);
      await leader.waitForFunction(() => window.MessageBus.diagnostics().role === "leader");

      const follower = await openClient(context, suite.server.busUrl, "ours", settings);
      const followerSockets = watchSockets(follower);
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
      assert.equal(sockets.length, 1, "the leader holds the socket");
      assert.equal(followerSockets.length, 0, "the follower opens none");
      const subscribed = Object.assign({}, ...sockets[0].sent.map((f) => f.subscribe ?? {}));
      assert.ok(Object.hasOwn(subscribed, other), "the follower's channel went over the leader's socket");
    }));
});
