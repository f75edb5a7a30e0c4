// End to end: our client (and, for compatibility, the stock message-bus-client 4.5 with jQuery) in
// headless Chromium against our real Java server (E2eServer). Every test has its own browser context
// (own localStorage, own tabs) and its own channels, so tests never see each other's messages.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { browserSkip, launch, openClient, positioned, receivedData } from "./support/browser.mjs";
import { startServer } from "./support/server.mjs";

const skip = browserSkip();

// Fast timings so that backoffs and polling intervals stay short; the server holds polls 2.5 s.
// firstChunkTimeout is raised so a busy machine is never taken for a buffering proxy.
const FAST = {
  callbackInterval: 500,
  maxPollInterval: 2000,
  minPollInterval: 50,
  backgroundCallbackInterval: 300,
  firstChunkTimeout: 10000,
};

let server;
let browser;
let seq = 0;
const unique = (name) => `/e2e/${name}/${Date.now().toString(36)}-${++seq}`;

before(async () => {
  if (skip) return;
  [server, browser] = await Promise.all([startServer({ longPollingMs: 2500 }), launch()]);
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.close();
});

async function withContext(fn) {
  const context = await browser.newContext();
  try {
    return await fn(context);
  } finally {
    await context.close();
  }
}

/** Re-checks an observable condition (no fixed sleep decides anything) until it holds or 15 s pass. */
async function until(condition, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error("condition not met within " + timeoutMs + " ms: " + condition);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Polls the server saw from one client id since `from` (epoch ms). */
async function pollsOf(clientId, from = 0) {
  return (await server.control("/polls")).filter((p) => p.clientId === clientId && p.at >= from);
}

for (const flavor of ["ours", "stock"]) {
  describe(`${flavor} client in Chromium`, { skip }, () => {
    for (const [mode, settings, expectPoll] of [
      ["streaming", {}, { dlp: false, chunked: true }],
      ["long polling", { enableChunkedEncoding: false }, { dlp: false, chunked: false }],
      ["polling", { enableLongPolling: false }, { dlp: true, chunked: false }],
    ]) {
      it(`delivers in ${mode} mode, in order`, () =>
        withContext(async (context) => {
          const page = await openClient(context, server.busUrl, flavor, { ...FAST, ...settings });
          const ch = unique(mode.replace(" ", "-"));
          await page.evaluate((c) => window.sub(c), ch);
          await positioned(page);
          for (const d of ["one", "two", "three"]) await server.publish(ch, d);

          assert.deepEqual(await receivedData(page, 3), ["one", "two", "three"]);
          const clientId = await page.evaluate(() => window.MessageBus.clientId);
          const polls = await pollsOf(clientId);
          assert.ok(polls.length > 0);
          for (const p of polls) assert.deepEqual({ dlp: p.dlp, chunked: p.chunked }, expectPoll);
        }));
    }

    it("honours positions 0, -1, -3 and an id", () =>
      withContext(async (context) => {
        const page = await openClient(context, server.busUrl, flavor, FAST);
        const chans = { zero: unique("p0"), minus1: unique("pm1"), minus3: unique("pm3"), id: unique("pid") };
        const ids = {};
        for (const [k, ch] of Object.entries(chans)) {
          ids[k] = [];
          for (const d of ["a1", "a2", "a3", "a4"]) ids[k].push(await server.publish(ch, `${k}:${d}`));
        }
        await page.evaluate((c) => {
          window.sub(c.chans.zero, 0);
          window.sub(c.chans.minus1, -1);
          window.sub(c.chans.minus3, -3);
          window.sub(c.chans.id, c.after);
        }, { chans, after: ids.id[1] });
        await positioned(page);
        for (const [k, ch] of Object.entries(chans)) await server.publish(ch, `${k}:live`);

        await receivedData(page, 5 + 1 + 3 + 3);
        const byChannel = await page.evaluate(() => {
          const out = {};
          for (const r of window.received) (out[r.channel] ??= []).push(r.data);
          return out;
        });
        assert.deepEqual(byChannel[chans.zero], ["zero:a1", "zero:a2", "zero:a3", "zero:a4", "zero:live"]);
        assert.deepEqual(byChannel[chans.minus1], ["minus1:live"]);
        assert.deepEqual(byChannel[chans.minus3], ["minus3:a3", "minus3:a4", "minus3:live"]);
        assert.deepEqual(byChannel[chans.id], ["id:a3", "id:a4", "id:live"]);
      }));

    it("receives only what is targeted at its user, groups or client id", () =>
      withContext(async (context) => {
        const page = await openClient(context, server.busUrl, flavor, {
          ...FAST,
          headers: { "X-User-Id": "7", "X-Group-Ids": "3,30" },
        });
        const ch = unique("targeting");
        await page.evaluate((c) => window.sub(c), ch);
        await positioned(page);
        const me = await page.evaluate(() => window.MessageBus.clientId);
        await server.publish(ch, "user 7", { userIds: [7] });
        await server.publish(ch, "user 8", { userIds: [8] });
        await server.publish(ch, "group 3", { groupIds: [3] });
        await server.publish(ch, "group 4", { groupIds: [4] });
        await server.publish(ch, "my client", { clientIds: [me] });
        await server.publish(ch, "other client", { clientIds: ["someone-else"] });
        await server.publish(ch, "everyone");

        assert.deepEqual(await receivedData(page, 4), ["user 7", "group 3", "my client", "everyone"]);
      }));

    it("follows several channels and stops after unsubscribe", () =>
      withContext(async (context) => {
        const page = await openClient(context, server.busUrl, flavor, FAST);
        const a = unique("multi-a");
        const b = unique("multi-b");
        await page.evaluate(([x, y]) => {
          window.sub(x);
          window.sub(y);
        }, [a, b]);
        await positioned(page);
        await server.publish(a, "a1");
        await server.publish(b, "b1");
        await receivedData(page, 2);

        const removed = await page.evaluate((y) => window.MessageBus.unsubscribe(y, window.subs[y]), b);
        await server.publish(b, "b2");
        await server.publish(a, "a2");

        const got = await page.evaluate(() => window.received.map((r) => r.data));
        assert.notEqual(removed, false);
        assert.deepEqual((await receivedData(page, 3)).sort(), ["a1", "a2", "b1"]);
        assert.ok(!got.includes("b2"));
        await server.publish(a, "a3");
        assert.deepEqual((await receivedData(page, 4)).filter((d) => d.startsWith("b")), ["b1"]);
      }));

    it("queues while paused and delivers on resume", () =>
      withContext(async (context) => {
        const page = await openClient(context, server.busUrl, flavor, { ...FAST, enableChunkedEncoding: false });
        const ch = unique("pause");
        await page.evaluate((c) => window.sub(c), ch);
        await positioned(page);
        await page.evaluate(() => window.MessageBus.pause());
        assert.equal(await page.evaluate(() => window.MessageBus.status()), "paused");
        const arrived = page.waitForResponse(
          async (r) => r.url().includes("/message-bus/") && (await r.text()).includes('"p2"')
        );
        await server.publish(ch, "p1");
        await server.publish(ch, "p2");
        await arrived;
        assert.deepEqual(await page.evaluate(() => window.received.length), 0);

        await page.evaluate(() => window.MessageBus.resume());
        await server.publish(ch, "after");
        const got = await receivedData(page, 3);
        assert.deepEqual([...new Set(got)], ["p1", "p2", "after"]);
        if (flavor === "ours") assert.deepEqual(got, ["p1", "p2", "after"]); // no duplicates
      }));

    it("reconnects after a server restart and loses nothing", () =>
      withContext(async (context) => {
        const page = await openClient(context, server.busUrl, flavor, FAST);
        const ch = unique("restart");
        await page.evaluate((c) => window.sub(c), ch);
        await positioned(page);
        await server.publish(ch, "r1");
        await receivedData(page, 1);
        try {
          await server.control("/stop", {});
          await server.publish(ch, "r2"); // while the HTTP server is down
          await server.publish(ch, "r3");
        } finally {
          await server.control("/start", {});
        }
        await server.publish(ch, "r4");

        assert.deepEqual(await receivedData(page, 4, 20000), ["r1", "r2", "r3", "r4"]);
        await server.publish(ch, "r5");
        assert.deepEqual(await receivedData(page, 5), ["r1", "r2", "r3", "r4", "r5"]);
      }));

    it("falls back to polling while the tab is hidden", () =>
      withContext(async (context) => {
        // Headless Chromium reports every page as visible (switching tabs, minimising the window and
        // freezing the page do not change it), so the page's visibility is overridden here and the
        // real visibilitychange event is dispatched; both clients read document.hidden.
        const page = await openClient(context, server.busUrl, flavor, { ...FAST, minHiddenPollInterval: 100 });
        await page.evaluate(() => {
          window.__hidden = false;
          // the stock client reads the last of hidden/webkitHidden it finds, so both are overridden
          for (const name of ["hidden", "webkitHidden"]) {
            Object.defineProperty(document, name, { configurable: true, get: () => window.__hidden });
          }
          Object.defineProperty(document, "visibilityState", {
            configurable: true,
            get: () => (window.__hidden ? "hidden" : "visible"),
          });
        });
        const ch = unique("hidden");
        await page.evaluate((c) => window.sub(c), ch);
        await positioned(page);
        const clientId = await page.evaluate(() => window.MessageBus.clientId);
        await page.evaluate(() => {
          window.__hidden = true;
          document.dispatchEvent(new Event("visibilitychange"));
        });
        const hiddenSince = Date.now();
        // the long poll in flight runs out (2.5 s), then the hidden tab polls with dlp=t
        await until(async () => (await pollsOf(clientId, hiddenSince)).some((p) => p.dlp));
        await server.publish(ch, "h1");
        await receivedData(page, 1);

        await page.evaluate(() => {
          window.__hidden = false;
          document.dispatchEvent(new Event("visibilitychange"));
        });
        const visibleSince = Date.now();
        await until(async () => (await pollsOf(clientId, visibleSince)).some((p) => !p.dlp));
        await server.publish(ch, "v1");
        assert.deepEqual(await receivedData(page, 2), ["h1", "v1"]);
      }));
  });
}

describe("our client only", { skip }, () => {
  it("works as an ES module (message-bus.mjs)", () =>
    withContext(async (context) => {
      const page = await openClient(context, server.busUrl, "ours-esm", FAST);
      const ch = unique("esm");
      await page.evaluate((c) => window.sub(c), ch);
      await positioned(page);
      await server.publish(ch, { hello: "module" });
      assert.deepEqual(await receivedData(page, 1), [{ hello: "module" }]);
      assert.equal(await page.evaluate(() => typeof globalThis.MessageBus.noConflict), "function");
    }));

  for (const [mode, settings] of [
    ["streaming", {}],
    ["long polling", { enableChunkedEncoding: false }],
  ]) {
    it(`delivers through jQuery.ajax as the transport (${mode})`, () =>
      withContext(async (context) => {
        const page = await openClient(context, server.busUrl, "ours-jquery", { ...FAST, ...settings });
        const ch = unique("jquery");
        await page.evaluate((c) => window.sub(c), ch);
        await positioned(page);
        await server.publish(ch, "j1");
        await server.publish(ch, { j: 2 });
        assert.deepEqual(await receivedData(page, 2), ["j1", { j: 2 }]);
      }));
  }

  it("waits out a 429 for Retry-After, then delivers", () =>
    withContext(async (context) => {
      const page = await openClient(context, server.busUrl, "ours", { ...FAST, minRetryAfter: 0 });
      const ch = unique("rate");
      const clientId = await page.evaluate(() => window.MessageBus.clientId);
      await server.control("/rate-limit", { count: 1, retryAfter: 2 });
      await page.evaluate((c) => window.sub(c), ch);
      await positioned(page);
      await server.publish(ch, "after the limit");
      assert.deepEqual(await receivedData(page, 1), ["after the limit"]);

      const polls = await pollsOf(clientId);
      assert.equal(polls[0].status, 429);
      assert.ok(polls.length >= 2);
      assert.ok(polls[1].at - polls[0].at >= 2000, `next poll ${polls[1].at - polls[0].at} ms after the 429`);
    }));

  it("shares one connection between two tabs and fails over when the leader closes", () =>
    withContext(async (context) => {
      const settings = { ...FAST, shareConnection: true };
      const leader = await openClient(context, server.busUrl, "ours", settings);
      const ch = unique("shared");
      await leader.evaluate((c) => window.sub(c), ch);
      await positioned(leader);
      await leader.waitForFunction(() => window.MessageBus.diagnostics().role === "leader");

      const follower = await openClient(context, server.busUrl, "ours", settings);
      const followerPolls = [];
      follower.on("request", (r) => {
        if (r.url().includes("/message-bus/")) followerPolls.push(r.url());
      });
      const other = unique("shared-other");
      await follower.evaluate(([c, o]) => {
        window.sub(c);
        window.sub(o);
      }, [ch, other]);
      await follower.waitForFunction(() => window.MessageBus.diagnostics().role === "follower");
      await positioned(follower);
      await server.publish(ch, "s1");
      await server.publish(other, "o1");
      assert.deepEqual(await receivedData(leader, 1), ["s1"]);
      assert.deepEqual((await receivedData(follower, 2)).sort(), ["o1", "s1"]);
      assert.equal(followerPolls.length, 0, "the follower makes no request of its own");
      assert.equal(
        await follower.evaluate(() => window.MessageBus.clientId),
        await leader.evaluate(() => window.MessageBus.clientId)
      );

      await leader.close();
      await server.publish(ch, "s2"); // during the failover
      await follower.waitForFunction(() => window.MessageBus.diagnostics().role === "leader");
      await server.publish(ch, "s3");
      await server.publish(other, "o2");
      const got = await receivedData(follower, 5);
      assert.deepEqual(got.filter((d) => d.startsWith("s")), ["s1", "s2", "s3"]);
      assert.deepEqual(got.filter((d) => d.startsWith("o")), ["o1", "o2"]);
      assert.ok(followerPolls.length > 0, "the new leader polls");
    }));
});
