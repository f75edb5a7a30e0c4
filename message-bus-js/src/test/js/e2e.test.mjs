// End to end: our client (and, for compatibility, the stock message-bus-client 4.5 with jQuery) in
// headless Chromium against our real Java server (E2eServer). Every test has its own browser context
// (own localStorage, own tabs) and its own channels, so tests never see each other's messages.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { browserSkip, openClient, positioned, receivedAll, recordPolls } from "./support/browser.mjs";
import { chromiumSuite, FAST, until } from "./support/suite.mjs";

const skip = browserSkip();
const suite = chromiumSuite(skip, { longPollingMs: 2500 });

// A hung test fails its suite after this long (about a minute per suite on a busy 2-core machine);
// the after hook then stops the server and browser, so the run ends instead of waiting forever.
const SUITE = { skip, timeout: 10 * 60_000 };

let seq = 0;
const unique = (name) => `/e2e/${name}/${Date.now().toString(36)}-${++seq}`;

/** Polls the server saw from one client id since `from` (epoch ms). */
async function pollsOf(clientId, from = 0) {
  return (await suite.server.control("/polls")).filter((p) => p.clientId === clientId && p.at >= from);
}

for (const flavor of ["ours", "stock"]) {
  describe(`${flavor} client in Chromium`, SUITE, () => {
    for (const [mode, settings, expectPoll] of [
      ["streaming", {}, { dlp: false, chunked: true }],
      ["long polling", { enableChunkedEncoding: false }, { dlp: false, chunked: false }],
      ["polling", { enableLongPolling: false }, { dlp: true, chunked: false }],
    ]) {
      it(`delivers in ${mode} mode, in order`, () =>
        suite.withContext(async (context) => {
          const page = await openClient(context, suite.server.busUrl, flavor, { ...FAST, ...settings });
          const ch = unique(mode.replace(" ", "-"));
          await page.evaluate((c) => window.sub(c), ch);
          await positioned(page);
          for (const d of ["one", "two", "three"]) await suite.server.publish(ch, d);

          assert.deepEqual(await receivedAll(page, ["one", "two", "three"]), ["one", "two", "three"]);
          const clientId = await page.evaluate(() => window.MessageBus.clientId);
          const polls = await pollsOf(clientId);
          assert.ok(polls.length > 0);
          for (const p of polls) assert.deepEqual({ dlp: p.dlp, chunked: p.chunked }, expectPoll);
        }));
    }

    // SPEC §9.4: with long polling disabled a visible tab is still in long-polling mode for the
    // next-poll delay; backgroundCallbackInterval (set to ten minutes here) is for hidden tabs.
    it("without long polling, a visible tab polls every callbackInterval, not backgroundCallbackInterval", () =>
      suite.withContext(async (context) => {
        const page = await openClient(context, suite.server.busUrl, flavor, {
          ...FAST,
          enableLongPolling: false,
          callbackInterval: 300,
          backgroundCallbackInterval: 600000,
        });
        const ch = unique("polling-interval");
        await page.evaluate((c) => window.sub(c, 0), ch); // an empty channel: every reply is []
        const clientId = await page.evaluate(() => window.MessageBus.clientId);
        // five polls take about 1.5 s at callbackInterval; the second alone would take ten minutes
        await until(async () => (await pollsOf(clientId)).length >= 5, 20000);
        const polls = (await pollsOf(clientId)).slice(0, 5);
        for (const p of polls) assert.equal(p.dlp, true);
        const spread = polls[4].at - polls[1].at;
        assert.ok(spread >= 3 * 150, `three empty polls in ${spread} ms: not spaced by callbackInterval`);
      }));

    it("without long polling, a visible tab polls again at once after data", () =>
      suite.withContext(async (context) => {
        const page = await openClient(context, suite.server.busUrl, flavor, {
          ...FAST,
          enableLongPolling: false,
          callbackInterval: 600000,
          backgroundCallbackInterval: 600000,
        });
        const ch = unique("polling-data");
        await suite.server.publish(ch, "waiting");
        await page.evaluate((c) => window.sub(c, 0), ch);
        const clientId = await page.evaluate(() => window.MessageBus.clientId);
        assert.deepEqual(await receivedAll(page, ["waiting"]), ["waiting"]);
        // minPollInterval (50 ms) after the reply with data, not one of the ten-minute intervals
        await until(async () => (await pollsOf(clientId)).length >= 2);
        for (const p of await pollsOf(clientId)) assert.equal(p.dlp, true);
      }));

    it("honours positions 0, -1, -3 and an id", () =>
      suite.withContext(async (context) => {
        const page = await openClient(context, suite.server.busUrl, flavor, FAST);
        const chans = { zero: unique("p0"), minus1: unique("pm1"), minus3: unique("pm3"), id: unique("pid") };
        const ids = {};
        for (const [k, ch] of Object.entries(chans)) {
          ids[k] = [];
          for (const d of ["a1", "a2", "a3", "a4"]) ids[k].push(await suite.server.publish(ch, `${k}:${d}`));
        }
        await page.evaluate((c) => {
          window.sub(c.chans.zero, 0);
          window.sub(c.chans.minus1, -1);
          window.sub(c.chans.minus3, -3);
          window.sub(c.chans.id, c.after);
        }, { chans, after: ids.id[1] });
        await positioned(page);
        for (const [k, ch] of Object.entries(chans)) await suite.server.publish(ch, `${k}:live`);

        await receivedAll(page, [
          ...["a1", "a2", "a3", "a4", "live"].map((d) => `zero:${d}`),
          "minus1:live",
          ...["a3", "a4", "live"].map((d) => `minus3:${d}`),
          ...["a3", "a4", "live"].map((d) => `id:${d}`),
        ]);
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
      suite.withContext(async (context) => {
        const page = await openClient(context, suite.server.busUrl, flavor, {
          ...FAST,
          headers: { "X-User-Id": "7", "X-Group-Ids": "3,30" },
        });
        const ch = unique("targeting");
        await page.evaluate((c) => window.sub(c), ch);
        await positioned(page);
        const me = await page.evaluate(() => window.MessageBus.clientId);
        await suite.server.publish(ch, "user 7", { userIds: [7] });
        await suite.server.publish(ch, "user 8", { userIds: [8] });
        await suite.server.publish(ch, "group 3", { groupIds: [3] });
        await suite.server.publish(ch, "group 4", { groupIds: [4] });
        await suite.server.publish(ch, "my client", { clientIds: [me] });
        await suite.server.publish(ch, "other client", { clientIds: ["someone-else"] });
        await suite.server.publish(ch, "everyone");

        const mine = ["user 7", "group 3", "my client", "everyone"];
        assert.deepEqual(await receivedAll(page, mine), mine);
      }));

    it("follows several channels and stops after unsubscribe", () =>
      suite.withContext(async (context) => {
        const page = await openClient(context, suite.server.busUrl, flavor, FAST);
        const a = unique("multi-a");
        const b = unique("multi-b");
        await page.evaluate(([x, y]) => {
          window.sub(x);
          window.sub(y);
        }, [a, b]);
        await positioned(page);
        await suite.server.publish(a, "a1");
        await suite.server.publish(b, "b1");
        await receivedAll(page, ["a1", "b1"]);

        const removed = await page.evaluate((y) => window.MessageBus.unsubscribe(y, window.subs[y]), b);
        assert.notEqual(removed, false);
        await suite.server.publish(b, "b2");
        await suite.server.publish(a, "a2");
        await receivedAll(page, ["a2"]);
        // a3 is published once a2 has arrived, so it comes in a later reply than a b2 could have
        await suite.server.publish(a, "a3");
        const got = await receivedAll(page, ["a3"]);
        assert.deepEqual(got.filter((d) => d.startsWith("a")), ["a1", "a2", "a3"]);
        assert.deepEqual(got.filter((d) => d.startsWith("b")), ["b1"]);
      }));

    it("queues while paused and delivers on resume", () =>
      suite.withContext(async (context) => {
        const page = await openClient(context, suite.server.busUrl, flavor, { ...FAST, enableChunkedEncoding: false });
        const polls = recordPolls(page);
        const ch = unique("pause");
        await page.evaluate((c) => window.sub(c), ch);
        await positioned(page);
        await page.evaluate(() => window.MessageBus.pause());
        assert.equal(await page.evaluate(() => window.MessageBus.status()), "paused");
        await suite.server.publish(ch, "p1");
        await suite.server.publish(ch, "p2");
        // Stay paused until a reply has carried p2 and one more poll has completed after it, so that
        // every run goes through the same steps (the stock client asks again while paused).
        const carries = (poll, data) => (poll.messages ?? []).some((m) => m.channel === ch && m.data === data);
        await until(() => polls.some((p) => carries(p, "p2") && polls.some((q) => q.seq > p.seq)));
        assert.deepEqual(await page.evaluate(() => window.received.length), 0);

        await page.evaluate(() => window.MessageBus.resume());
        await suite.server.publish(ch, "after");
        await receivedAll(page, ["p1", "p2", "after"]);
        // One more: a late duplicate would arrive before it.
        await suite.server.publish(ch, "last");
        const got = await receivedAll(page, ["last"]);
        await until(() => polls.some((p) => carries(p, "last")));

        // The server only ever answered with messages after the position each poll asked for.
        for (const p of polls) {
          assert.equal(p.error, undefined, p.error);
          const asked = Number(p.asked[ch]);
          for (const m of p.messages) {
            if (m.channel === ch && asked >= 0) assert.ok(m.message_id > asked, JSON.stringify(p));
          }
        }
        if (flavor === "ours") {
          // Ours moves its positions on while paused, so it never asks for the same message twice.
          assert.deepEqual(got, ["p1", "p2", "after", "last"]);
        } else {
          // The stock client does not move its positions while paused (SPEC §9.3, QUIRK): each poll
          // while paused asks from the same position and gets p1 and p2 again, and it delivers every
          // copy on resume. Its duplicates are the copies it asked for, no more.
          assert.deepEqual([...new Set(got)], ["p1", "p2", "after", "last"]);
          for (const d of ["p1", "p2", "after", "last"]) {
            const copies = polls.filter((p) => carries(p, d)).length;
            assert.equal(got.filter((g) => g === d).length, copies, `${d}: one delivery per reply carrying it`);
          }
        }
      }));

    it("reconnects after a server restart and loses nothing", () =>
      suite.withContext(async (context) => {
        const page = await openClient(context, suite.server.busUrl, flavor, FAST);
        const ch = unique("restart");
        await page.evaluate((c) => window.sub(c), ch);
        await positioned(page);
        await suite.server.publish(ch, "r1");
        await receivedAll(page, ["r1"]);
        try {
          await suite.server.control("/stop", {});
          await suite.server.publish(ch, "r2"); // while the HTTP server is down
          await suite.server.publish(ch, "r3");
        } finally {
          await suite.server.control("/start", {});
        }
        await suite.server.publish(ch, "r4");

        assert.deepEqual(await receivedAll(page, ["r4"], 20000), ["r1", "r2", "r3", "r4"]);
        await suite.server.publish(ch, "r5");
        assert.deepEqual(await receivedAll(page, ["r5"]), ["r1", "r2", "r3", "r4", "r5"]);
      }));

    it("falls back to polling while the tab is hidden", () =>
      suite.withContext(async (context) => {
        // Headless Chromium reports every page as visible (switching tabs, minimising the window and
        // freezing the page do not change it), so the page's visibility is overridden here and the
        // real visibilitychange event is dispatched; both clients read document.hidden.
        const page = await openClient(context, suite.server.busUrl, flavor, { ...FAST, minHiddenPollInterval: 100 });
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
        await suite.server.publish(ch, "h1");
        await receivedAll(page, ["h1"]);

        await page.evaluate(() => {
          window.__hidden = false;
          document.dispatchEvent(new Event("visibilitychange"));
        });
        const visibleSince = Date.now();
        await until(async () => (await pollsOf(clientId, visibleSince)).some((p) => !p.dlp));
        await suite.server.publish(ch, "v1");
        assert.deepEqual(await receivedAll(page, ["v1"]), ["h1", "v1"]);
      }));
  });
}

describe("our client only", SUITE, () => {
  it("works as an ES module (message-bus.mjs)", () =>
    suite.withContext(async (context) => {
      const page = await openClient(context, suite.server.busUrl, "ours-esm", FAST);
      const ch = unique("esm");
      await page.evaluate((c) => window.sub(c), ch);
      await positioned(page);
      await suite.server.publish(ch, { hello: "module" });
      assert.deepEqual(await receivedAll(page, [{ hello: "module" }]), [{ hello: "module" }]);
      assert.equal(await page.evaluate(() => typeof globalThis.MessageBus.noConflict), "function");
    }));

  for (const [mode, settings] of [
    ["streaming", {}],
    ["long polling", { enableChunkedEncoding: false }],
  ]) {
    it(`delivers through jQuery.ajax as the transport (${mode})`, () =>
      suite.withContext(async (context) => {
        const page = await openClient(context, suite.server.busUrl, "ours-jquery", { ...FAST, ...settings });
        const ch = unique("jquery");
        await page.evaluate((c) => window.sub(c), ch);
        await positioned(page);
        await suite.server.publish(ch, "j1");
        await suite.server.publish(ch, { j: 2 });
        assert.deepEqual(await receivedAll(page, ["j1", { j: 2 }]), ["j1", { j: 2 }]);
      }));
  }

  it("waits out a 429 for Retry-After, then delivers", () =>
    suite.withContext(async (context) => {
      const page = await openClient(context, suite.server.busUrl, "ours", { ...FAST, minRetryAfter: 0 });
      const ch = unique("rate");
      const clientId = await page.evaluate(() => window.MessageBus.clientId);
      await suite.server.control("/rate-limit", { count: 1, retryAfter: 2 });
      await page.evaluate((c) => window.sub(c), ch);
      await positioned(page);
      await suite.server.publish(ch, "after the limit");
      assert.deepEqual(await receivedAll(page, ["after the limit"]), ["after the limit"]);

      const polls = await pollsOf(clientId);
      assert.equal(polls[0].status, 429);
      assert.ok(polls.length >= 2);
      assert.ok(polls[1].at - polls[0].at >= 2000, `next poll ${polls[1].at - polls[0].at} ms after the 429`);
    }));

  it("shares one connection between two tabs and fails over when the leader closes", () =>
    suite.withContext(async (context) => {
      const settings = { ...FAST, shareConnection: true };
      const leader = await openClient(context, suite.server.busUrl, "ours", settings);
      const ch = unique("shared");
      await leader.evaluate((c) => window.sub(c), ch);
      await positioned(leader);
      await leader.waitForFunction(() => window.MessageBus.diagnostics().role === "leader");

      const follower = await openClient(context, suite.server.busUrl, "ours", settings);
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
      await suite.server.publish(ch, "s1");
      await suite.server.publish(other, "o1");
      assert.deepEqual(await receivedAll(leader, ["s1"]), ["s1"]);
      assert.deepEqual((await receivedAll(follower, ["s1", "o1"])).sort(), ["o1", "s1"]);
      assert.equal(followerPolls.length, 0, "the follower makes no request of its own");
      assert.equal(
        await follower.evaluate(() => window.MessageBus.clientId),
        await leader.evaluate(() => window.MessageBus.clientId)
      );

      await leader.close();
      await suite.server.publish(ch, "s2"); // during the failover
      await follower.waitForFunction(() => window.MessageBus.diagnostics().role === "leader");
      await suite.server.publish(ch, "s3");
      await suite.server.publish(other, "o2");
      const got = await receivedAll(follower, ["s1", "s2", "s3", "o1", "o2"]);
      assert.deepEqual(got.filter((d) => d.startsWith("s")), ["s1", "s2", "s3"]);
      assert.deepEqual(got.filter((d) => d.startsWith("o")), ["o1", "o2"]);
      assert.ok(followerPolls.length > 0, "the new leader polls");
    }));
});
