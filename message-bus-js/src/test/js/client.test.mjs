// Unit tests of message-bus.js in a fake browser (support/harness.mjs): the wire it speaks, the
// callbacks it makes and the delays it keeps (SPEC §9, §10.11).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { load, msg, SEP, status } from "./support/harness.mjs";

const JSON_TYPE = { "Content-Type": "application/json; charset=utf-8" };

/** Objects made inside the client's context have that context's prototypes: compare plain copies. */
const plain = (value) => JSON.parse(JSON.stringify(value));

function subscribed(options, channel = "/test", lastId) {
  const h = load(options);
  const got = [];
  h.bus.subscribe(channel, (data, globalId, messageId) => got.push([data, globalId, messageId]), lastId);
  return { ...h, got };
}

describe("requests", () => {
  it("posts form-encoded positions and __seq with the silence header, streaming by default", () => {
    const h = subscribed({}, "/test");
    const r = h.last();

    assert.equal(h.requests.length, 1);
    assert.equal(r.method, "POST");
    assert.equal(r.url, `/message-bus/${h.bus.clientId}/poll`);
    assert.equal(r.body, "%2Ftest=-1&__seq=1");
    assert.deepEqual(r.requestHeaders, {
      "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
      "X-SILENCE-LOGGER": "true",
    });
  });

  it("adds custom headers, and Dont-Chunk when streaming is off", () => {
    const h = load();
    h.bus.headers = { "X-Custom": "1" };
    h.bus.enableChunkedEncoding = false;
    h.bus.subscribe("/test", () => {});

    assert.equal(h.last().requestHeaders["X-Custom"], "1");
    assert.equal(h.last().requestHeaders["Dont-Chunk"], "true");
  });

  it("sends dlp=t without long polling, and uses baseUrl (adding a missing slash)", () => {
    const h = load();
    h.bus.enableLongPolling = false;
    h.bus.baseUrl = "https://bus.example/app";
    h.bus.subscribe("/test", () => {});

    assert.equal(h.last().url, `https://bus.example/app/message-bus/${h.bus.clientId}/poll?dlp=t`);
    assert.equal(h.last().requestHeaders["Dont-Chunk"], "true");
  });

  it("generates a UUID-v4-like client id of 32 hex characters", () => {
    const { bus } = load();
    assert.match(bus.clientId, /^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$/);
  });

  it("never has two requests in flight; a new channel aborts and re-polls with both", () => {
    const h = subscribed({}, "/a");
    h.bus.subscribe("/b", () => {}, 5);

    assert.equal(h.requests[0].aborted, true);
    h.tick(100);
    assert.equal(h.requests.length, 2);
    assert.deepEqual(h.last().fields, { "/a": "-1", "/b": "5", __seq: "2" });
  });
});

describe("delivery", () => {
  it("calls back with (data, globalId, messageId) and polls on from the new position", () => {
    const h = subscribed({}, "/test");
    h.bus.enableChunkedEncoding = false;
    h.last().respond(200, [status({ "/test": 3 })]);
    h.tick(100);
    h.last().respond(200, [msg("/test", 4, { a: 1 }, 40), msg("/other", 9, "x")]);
    h.tick(100);

    assert.deepEqual(plain(h.got), [[{ a: 1 }, 40, 4]]);
    assert.equal(h.last().fields["/test"], "4");
  });

  it("delivers a message once even when a reply repeats it", () => {
    const h = subscribed({}, "/test", 0);
    h.last().respond(200, [msg("/test", 1, "a"), msg("/test", 2, "b")]);
    h.tick(100);
    h.last().respond(200, [msg("/test", 2, "b"), msg("/test", 3, "c")]);

    assert.deepEqual(h.got.map((g) => g[0]), ["a", "b", "c"]);
  });

  it("a later -1 subscriber starts at the known position; an older position re-reads for it only", () => {
    const h = subscribed({}, "/test", 0);
    h.last().respond(200, [msg("/test", 1, "a"), msg("/test", 2, "b")]);
    const late = [];
    const old = [];
    h.bus.subscribe("/test", (d) => late.push(d));
    h.bus.subscribe("/test", (d) => old.push(d), 1);
    h.tick(100);
    assert.equal(h.last().fields["/test"], "1");
    h.last().respond(200, [msg("/test", 2, "b"), msg("/test", 3, "c")]);

    assert.deepEqual(h.got.map((g) => g[0]), ["a", "b", "c"]);
    assert.deepEqual(late, ["c"]);
    assert.deepEqual(old, ["b", "c"]);
  });

  it("follows a status that moves a channel back (server reset)", () => {
    const h = subscribed({}, "/test", 10);
    h.last().respond(200, [status({ "/test": 2 })]);
    h.tick(100);
    assert.equal(h.last().fields["/test"], "2");
    h.last().respond(200, [msg("/test", 3, "after reset")]);

    assert.deepEqual(h.got.map((g) => g[0]), ["after reset"]);
  });

  it("a throwing callback is logged and the others still get the message", () => {
    const h = load();
    const got = [];
    h.bus.subscribe("/test", () => {
      throw new Error("boom");
    }, 0);
    h.bus.subscribe("/test", (d) => got.push(d), 0);
    h.tick(100);
    h.last().respond(200, [msg("/test", 1, "x")]);

    assert.deepEqual(got, ["x"]);
    assert.ok(h.logs.some(([level, text]) => level === "error" && text.includes("MESSAGE BUS FAIL")));
  });
});

describe("streaming", () => {
  it("parses pieces split across progress events and un-escapes the separator", () => {
    const h = subscribed({}, "/test", 0);
    const r = h.last();
    const one = JSON.stringify([msg("/test", 1, "a|b")]);
    const two = JSON.stringify([msg("/test", 2, "x\r\n|\r\ny")]).replace(/\r\n\|\r\n/g, "\r\n||\r\n");
    r.stream(one.slice(0, 10));
    assert.equal(h.got.length, 0);
    r.stream(one + SEP + two.slice(0, 5));
    assert.deepEqual(h.got.map((g) => g[0]), ["a|b"]);
    r.stream(one + SEP + two + SEP + "[]" + SEP);

    assert.deepEqual(h.got.map((g) => g[0]), ["a|b", "x\r\n|\r\ny"]);
  });

  it("treats a JSON reply to a streaming request as one array", () => {
    const h = subscribed({}, "/test", 0);
    h.last().stream("[", JSON_TYPE);
    h.last().respond(200, [msg("/test", 1, "whole")]);

    assert.deepEqual(h.got.map((g) => g[0]), ["whole"]);
  });

  it("without a first piece in firstChunkTimeout, aborts and stops streaming for retryChunkedAfterRequests", () => {
    const h = subscribed({}, "/test", 0);
    h.bus.retryChunkedAfterRequests = 2;
    h.tick(2999);
    assert.equal(h.requests[0].aborted, false);
    h.tick(1);
    assert.equal(h.requests[0].aborted, true);
    h.tick(100);
    assert.equal(h.requests[1].requestHeaders["Dont-Chunk"], "true");
    h.requests[1].respond(200, []);
    h.tick(15000);
    assert.equal(h.requests[2].requestHeaders["Dont-Chunk"], "true");
    h.requests[2].respond(200, []);
    h.tick(15000);
    assert.equal(h.requests[3].requestHeaders["Dont-Chunk"], undefined);
  });
});

describe("timing of the next poll", () => {
  function after(h, respond) {
    const before = h.requests.length;
    respond(h.last());
    const delays = h.pendingTimers();
    assert.equal(h.requests.length, before);
    return delays[0];
  }

  it("waits Retry-After on a 429, but at least minRetryAfter (15 s)", () => {
    const h = subscribed({}, "/test", 0);
    h.bus.backoffJitter = 0; // the stock client's exact delays
    assert.equal(after(h, (r) => r.respond(429, "", { "Retry-After": "23" })), 23000);
    h.tick(23000);
    assert.equal(after(h, (r) => r.respond(429, "", { "Retry-After": "13" })), 15000);
    h.tick(14999);
    h.bus.subscribe("/other", () => {});
    assert.equal(h.requests.length, 2, "a subscription does not cut the 429 wait short");
    h.tick(1);
    assert.equal(h.requests.length, 3);
  });

  it("backs off linearly after three failures, up to maxPollInterval", () => {
    const h = subscribed({}, "/test", 0);
    h.bus.backoffJitter = 0; // the stock client's exact delays
    h.bus.maxPollInterval = 50000;
    for (const expected of [15000, 15000, 45000, 50000]) {
      assert.equal(after(h, (r) => r.respond(500, "oops", {})), expected);
      h.tick(expected);
    }
    assert.equal(h.bus.diagnostics().totalAjaxFailures, 4);
  });

  it("lengthens every wait after a failure or a 429 by up to backoffJitter of itself, never shortens it", () => {
    const h = subscribed({}, "/test", 0);
    h.stubRandom(() => 0.999);
    // 1st and 2nd failures: callbackInterval from the poll's start, then the linear backoff
    for (const base of [15000, 15000, 45000]) {
      const delay = after(h, (r) => r.respond(500, "oops", {}));
      assert.equal(delay, Math.round(base * (1 + 0.5 * 0.999)));
      h.tick(delay);
    }
    const retry = after(h, (r) => r.respond(429, "", { "Retry-After": "20" }));
    assert.equal(retry, Math.round(20000 * 1.4995));
    h.tick(retry);
    h.stubRandom(() => 0);
    assert.equal(after(h, (r) => r.respond(500, "oops", {})), 60000, "with no draw, the stock delay");
    h.tick(60000);
    h.last().respond(200, []);
    assert.equal(h.pendingTimers()[0], 15000, "an answered poll is not spread");
  });

  it("a 503 with Retry-After (a draining server) waits that long, spread by the jitter", () => {
    const h = subscribed({}, "/test", 0);
    h.stubRandom(() => 0.5);
    assert.equal(after(h, (r) => r.respond(503, "draining", { "Retry-After": "5" })), 6250);
    h.tick(6250);
    h.bus.backoffJitter = 0;
    assert.equal(after(h, (r) => r.respond(503, "draining", { "Retry-After": "5" })), 5000);
    h.tick(5000);
    assert.equal(after(h, (r) => r.respond(503, "down", {})), 45000, "without the header: the backoff (3rd failure)");
    assert.equal(h.bus.diagnostics().totalAjaxFailures, 3);
  });

  it("clients that fail together come back spread over the jitter window", () => {
    const retries = [];
    for (let i = 0; i < 100; i++) {
      const h = load(); // each its own browser, all failing at the same instant
      h.bus.subscribe("/test", () => {}, 0);
      h.last().respond(503, "restarting", {});
      retries.push(h.pendingTimers()[0]);
    }
    const spread = Math.max(...retries) - Math.min(...retries);
    assert.ok(Math.min(...retries) >= 15000, `never earlier than the stock client: ${Math.min(...retries)}`);
    assert.ok(Math.max(...retries) <= 22500, `at most 1.5 × callbackInterval: ${Math.max(...retries)}`);
    assert.ok(spread > 5000, `100 clients spread over ${spread} ms only`);
  });

  it("non-streaming long poll: minPollInterval after data, callbackInterval from the start otherwise", () => {
    const h = load();
    h.bus.enableChunkedEncoding = false;
    h.bus.subscribe("/test", () => {}, 0);
    assert.equal(after(h, (r) => r.respond(200, [msg("/test", 1, "x")])), 100);
    h.tick(100);
    h.tick(4000);
    assert.equal(after(h, (r) => r.respond(200, [])), 11000);
  });

  // SPEC §9.4, next-poll delay: "long-polling mode" is shouldLongPoll() at completion (visible tab,
  // alwaysLongPoll or the callback), whatever enableLongPolling says; backgroundCallbackInterval is
  // for polls outside that mode only.
  it("long polling disabled, tab visible: callbackInterval from the start, not backgroundCallbackInterval", () => {
    const h = load();
    h.bus.enableLongPolling = false;
    h.bus.subscribe("/test", () => {}, 0);
    assert.match(h.last().url, /\?dlp=t$/);
    h.tick(4000);
    assert.equal(after(h, (r) => r.respond(200, [])), 11000);
    h.tick(11000);
    assert.equal(h.requests.length, 2);
    assert.equal(after(h, (r) => r.respond(200, [status({ "/test": 0 })])), 100, "a status is data too");
  });

  it("long polling disabled, tab visible: minPollInterval after data", () => {
    const h = load();
    h.bus.enableLongPolling = false;
    h.bus.subscribe("/test", () => {}, 0);
    assert.equal(after(h, (r) => r.respond(200, [msg("/test", 1, "x")])), 100);
    h.tick(100);
    assert.equal(h.last().fields["/test"], "1");
  });

  it("hidden tab: backgroundCallbackInterval from the start, with or without data", () => {
    const h = load({ hidden: true });
    h.bus.enableChunkedEncoding = false;
    h.bus.subscribe("/test", () => {}, 0);
    assert.match(h.last().url, /\?dlp=t$/);
    h.tick(1000);
    assert.equal(after(h, (r) => r.respond(200, [msg("/test", 1, "x")])), 59000);
    h.tick(59000);
    assert.equal(after(h, (r) => r.respond(200, [])), 60000);
  });

  it("the mode is taken when the poll completes: sent hidden, completed visible", () => {
    const h = load({ hidden: true });
    h.bus.subscribe("/test", () => {}, 0);
    assert.match(h.last().url, /\?dlp=t$/);
    h.setHidden(false); // a request is in flight: nothing to wake
    assert.equal(h.requests.length, 1);
    h.tick(1000);
    assert.equal(after(h, (r) => r.respond(200, [msg("/test", 1, "x")])), 100);
    h.tick(100);
    assert.doesNotMatch(h.last().url, /dlp/);
  });

  it("the mode is taken when the poll completes: sent as a long poll, completed hidden", () => {
    const h = load();
    h.bus.enableChunkedEncoding = false;
    h.bus.subscribe("/test", () => {}, 0);
    h.setHidden(true);
    h.tick(1000);
    assert.equal(after(h, (r) => r.respond(200, [msg("/test", 1, "x")])), 59000);
  });

  it("alwaysLongPoll keeps a hidden tab in long-polling mode, even with long polling disabled", () => {
    const h = load({ hidden: true });
    h.bus.alwaysLongPoll = true;
    h.bus.enableLongPolling = false;
    h.bus.subscribe("/test", () => {}, 0);
    assert.match(h.last().url, /\?dlp=t$/);
    h.tick(1000);
    assert.equal(after(h, (r) => r.respond(200, [])), 14000);
    h.tick(14000);
    assert.equal(after(h, (r) => r.respond(200, [msg("/test", 1, "x")])), 100);
  });

  it("shouldLongPollCallback answering false puts a visible tab in background mode", () => {
    const h = load();
    h.bus.shouldLongPollCallback = () => false;
    h.bus.subscribe("/test", () => {}, 0);
    h.tick(1000);
    assert.equal(after(h, (r) => r.respond(200, [msg("/test", 1, "x")])), 59000);
  });

  it("streaming: data does not shorten the wait; a stream that ends early waits callbackInterval from its start", () => {
    const h = subscribed({}, "/test", 0);
    h.last().stream(JSON.stringify([msg("/test", 1, "x")]) + SEP);
    assert.equal(h.got.length, 1);
    h.tick(2000);
    assert.equal(after(h, (r) => r.respond(200, JSON.stringify([msg("/test", 1, "x")]) + SEP, {
      "Content-Type": "text/plain; charset=utf-8",
    })), 13000);
  });

  it("while paused, a reply's messages are not data: the wait is callbackInterval from the start", () => {
    const h = load();
    h.bus.enableChunkedEncoding = false;
    const got = [];
    h.bus.subscribe("/test", (d) => got.push(d), 0);
    h.bus.pause();
    h.tick(1000);
    assert.equal(after(h, (r) => r.respond(200, [msg("/test", 1, "x")])), 14000);
    h.bus.resume();
    assert.deepEqual(got, ["x"]);
  });
});

describe("hidden tabs", () => {
  it("poll without long polling, spaced by minHiddenPollInterval across tabs, and long-poll again when shown", () => {
    const h = load({ hidden: true });
    h.store.set("__mbLastAjax", String(h.now() - 1000)); // another tab polled 1 s ago
    h.bus.subscribe("/test", () => {}, 0);
    assert.equal(h.requests.length, 0);
    h.tick(1000);
    assert.equal(h.requests.length, 1);
    assert.match(h.last().url, /\?dlp=t$/);
    assert.ok(Number(h.store.get("__mbLastAjax")) > h.now() - 1000, "this tab's poll is recorded for the others");

    h.last().respond(200, []);
    h.setHidden(false);
    assert.equal(h.requests.length, 2, "shown: polls at once");
    assert.doesNotMatch(h.last().url, /dlp/);
  });

  it("alwaysLongPoll and shouldLongPollCallback override the visibility check", () => {
    const h = load({ hidden: true });
    h.bus.alwaysLongPoll = true;
    h.bus.subscribe("/test", () => {}, 0);
    assert.doesNotMatch(h.last().url, /dlp/);

    const g = load();
    g.bus.shouldLongPollCallback = () => false;
    g.bus.subscribe("/test", () => {}, 0);
    assert.match(g.last().url, /dlp=t/);
  });
});

describe("API", () => {
  it("status: stopped, started, paused, stopped", () => {
    const h = load();
    assert.equal(h.bus.status(), "stopped");
    h.bus.start();
    assert.equal(h.bus.status(), "started");
    h.bus.pause();
    assert.equal(h.bus.status(), "paused");
    h.bus.resume();
    h.bus.stop();
    assert.equal(h.bus.status(), "stopped");
  });

  it("pause queues without re-fetching; resume delivers in order, once", () => {
    const h = subscribed({}, "/test", 0);
    h.bus.pause();
    h.last().respond(200, [msg("/test", 1, "a")]);
    h.tick(15000); // queued messages are not data: the next poll comes callbackInterval after this one
    assert.equal(h.requests.length, 2);
    assert.equal(h.last().fields["/test"], "1", "the position advanced while paused");
    h.last().respond(200, [msg("/test", 2, "b")]);
    assert.deepEqual(h.got, []);

    h.bus.resume();
    assert.deepEqual(h.got.map((g) => g[0]), ["a", "b"]);
  });

  it("unsubscribe removes one callback, all of a channel, or a prefix with *", () => {
    const h = load();
    const f = () => {};
    const g = () => {};
    h.bus.subscribe("/chat/1", f);
    h.bus.subscribe("/chat/1", g);
    h.bus.subscribe("/chat/2", f);
    h.bus.subscribe("/news", f);

    assert.equal(h.bus.unsubscribe("/chat/1", g), true);
    assert.equal(h.bus.unsubscribe("/nothing"), false);
    assert.equal(h.bus.unsubscribe("/chat/*"), true);
    assert.deepEqual(plain(h.bus.callbacks.map((c) => c.channel)), ["/news"]);
    h.tick(100);
    assert.deepEqual(Object.keys(h.last().fields), ["/news", "__seq"]);
  });

  it("subscribe rejects a bad channel, callback or lastId", () => {
    const { bus } = load();
    assert.throws(() => bus.subscribe(42, () => {}), { name: "TypeError" });
    assert.throws(() => bus.subscribe("", () => {}), { name: "TypeError" });
    assert.throws(() => bus.subscribe("/a"), /func must be a function/);
    assert.throws(() => bus.subscribe("/a", () => {}, "5"), /lastId must be an integer/);
    assert.throws(() => bus.subscribe("/a", () => {}, 1.5), /lastId must be an integer/);
    assert.equal(bus.callbacks.length, 0);
  });

  it("start rejects invalid settings, naming them", () => {
    const { bus } = load();
    bus.callbackInterval = "soon";
    assert.throws(() => bus.start(), /MessageBus.callbackInterval must be a number/);
    bus.callbackInterval = 15000;
    bus.ajax = null;
    assert.throws(() => bus.start(), /MessageBus.ajax must be a function/);
  });

  it("start rejects transports that are not an array", () => {
    const { bus } = load();
    bus.transports = "sse";
    assert.throws(() => bus.start(), /MessageBus.transports must be an array/);
  });

  it("transports: without EventSource (or with only unknown names) the client long-polls as before", () => {
    const h = load();
    h.bus.transports = ["websocket", "sse"];
    h.bus.subscribe("/a", () => {}, 0);
    assert.equal(h.bus.activeTransport, "long-poll");
    assert.match(h.last().url, /\/message-bus\/[^/]+\/poll$/);
  });

  it("stop aborts the request in flight and polls no more; start resumes from the last ids", () => {
    const h = subscribed({}, "/test", 0);
    h.last().respond(200, [msg("/test", 7, "x")]);
    h.tick(100);
    h.bus.stop();
    assert.equal(h.last().aborted, true);
    h.tick(600000);
    const count = h.requests.length;
    h.bus.start();

    assert.equal(h.requests.length, count + 1);
    assert.equal(h.last().fields["/test"], "7");
  });

  it("noConflict restores the previous global and returns the client", () => {
    const previous = { mine: true };
    const h = load({ previous });
    const client = h.bus.noConflict();

    assert.equal(h.context.MessageBus, previous);
    assert.equal(typeof client.subscribe, "function");
  });

  it("as CommonJS (module.exports present) exports the client and defines no global", () => {
    const previous = { mine: true };
    const h = load({ commonjs: true, previous });

    assert.equal(h.context.MessageBus, previous);
    assert.equal(h.bus.status(), "stopped");
    assert.equal(h.bus.noConflict(), h.bus);
    assert.equal(h.context.MessageBus, previous);
    h.bus.subscribe("/test", () => {});
    assert.equal(h.last().url, `/message-bus/${h.bus.clientId}/poll`);
  });

  it("with an AMD loader defines the global and registers the same client as a module", () => {
    const h = load({ amd: true });

    assert.equal(h.defined.length, 1);
    assert.deepEqual(plain(h.defined[0].deps), []);
    assert.equal(h.defined[0].value, h.bus);
    assert.equal(typeof h.bus.subscribe, "function");
  });

  it("diagnostics returns and logs the state", () => {
    const h = subscribed({}, "/test", 0);
    const d = h.bus.diagnostics();

    assert.equal(d.status, "started");
    assert.equal(d.role, "alone");
    assert.deepEqual(plain(d.callbacks), [{ channel: "/test", last_id: 0 }]);
    assert.equal(d.totalAjaxCalls, 1);
    assert.ok(h.logs.some(([, text]) => text.startsWith("MessageBus diagnostics:")));
  });

  it("uses a jQuery-style ajax override", () => {
    const h = load();
    const calls = [];
    h.bus.ajax = (o) => {
      calls.push(o);
      return { abort() {} };
    };
    h.bus.subscribe("/test", () => {}, 0);
    const o = calls[0];
    assert.equal(o.type, "POST");
    assert.deepEqual(plain(o.data), { "/test": 0, __seq: 1 });
    assert.equal(o.dataType, "text");
    o.success(`[${JSON.stringify(msg("/test", 1, "via ajax"))}]`, "success", {
      getResponseHeader: () => "application/json; charset=utf-8",
    });
    o.complete();
    assert.deepEqual(h.bus.callbacks[0].last_id, 1);
  });

  it("shareConnection without BroadcastChannel or Web Locks polls alone and says so", () => {
    const h = load();
    h.bus.shareConnection = true;
    h.bus.subscribe("/test", () => {});
    assert.equal(h.requests.length, 1);
    assert.equal(h.bus.diagnostics().role, "alone");
    assert.ok(h.logs.some(([level, text]) => level === "warn" && text.includes("shareConnection")));
  });
});

describe("loss signal", () => {
  const loss = (data) => ({ global_id: -1, message_id: -1, channel: "/__loss", data });

  it("asks for it only while a listener is registered, and tells it before the channel's messages", () => {
    const h = load();
    const events = [];
    h.bus.subscribe("/test", (data) => events.push(["message", data]), 1);
    assert.equal(h.last().url, `/message-bus/${h.bus.clientId}/poll`, "no listener: the stock URL");
    h.last().respond(200, [msg("/test", 2, "b")]);
    h.tick(200);

    const remove = h.bus.onLoss((channel, range) => events.push(["loss", channel, plain(range)]));
    h.tick(20000);
    assert.equal(h.last().url, `/message-bus/${h.bus.clientId}/poll?__loss=1`);
    h.last().respond(200, [
      loss({ "/test": { from: 3, to: 7 }, "/not-mine": { from: 1, to: 2 } }),
      msg("/test", 8, "h"),
      status({ "/test": 8 }),
    ]);
    assert.deepEqual(events, [
      ["message", "b"],
      ["loss", "/test", { from: 3, to: 7, reset: false }],
      ["message", "h"],
    ]);

    remove();
    h.tick(20000);
    assert.equal(h.last().url, `/message-bus/${h.bus.clientId}/poll`, "removed: the stock URL again");
  });

  it("after a reset accepts the channel's new, lower ids; dlp=t keeps its place in the query", () => {
    const h = load();
    h.bus.enableLongPolling = false;
    const got = [];
    const losses = [];
    h.bus.onLoss((channel, range) => losses.push([channel, plain(range)]));
    h.bus.subscribe("/test", (data) => got.push(data), 50);
    assert.equal(h.last().url, `/message-bus/${h.bus.clientId}/poll?dlp=t&__loss=1`);

    h.last().respond(200, [
      loss({ "/test": { from: 1, to: 0, reset: true } }),
      msg("/test", 1, "new1"),
      msg("/test", 2, "new2"),
      status({ "/test": 2 }),
    ]);

    assert.deepEqual(losses, [["/test", { from: 1, to: 0, reset: true }]]);
    assert.deepEqual(got, ["new1", "new2"]);
  });

  it("rejects a listener that is not a function", () => {
    const { bus } = load();
    assert.throws(() => bus.onLoss("no"), { name: "TypeError", message: /must be a function/ });
  });
});

describe("websocket close codes", () => {
  const RESUME_CODES = [1001, 1006, 1011, 4408, 4429];
  const GIVE_UP_CODES = [4400, 1003, 1009];

  /** A client preferring the socket, subscribed to /a (new only) and /b (after 5), without jitter. */
  function socketClient() {
    const h = load({ webSocket: true });
    h.stubRandom(() => 0);
    h.bus.transports = ["websocket", "long-poll"];
    const got = [];
    h.bus.subscribe("/a", (data) => got.push(data));
    h.bus.subscribe("/b", (data) => got.push(data), 5);
    return { ...h, got };
  }

  /** Opens the first socket and has the server move both channels on: /a to 3, /b to 6. */
  function openAndAdvance(h) {
    const socket = h.sockets[0];
    assert.equal(h.sockets.length, 1);
    assert.equal(h.requests.length, 0, "no poll while the socket is tried");
    assert.equal(socket.url, `ws://app.test/message-bus/${h.bus.clientId}/ws`);
    socket.open();
    assert.deepEqual(plain(socket.sent), [{ subscribe: { "/a": -1, "/b": 5 } }]);
    socket.receive([status({ "/a": 3 }), msg("/b", 6, "b6")]);
    assert.deepEqual(h.got, ["b6"]);
    return socket;
  }

  for (const code of RESUME_CODES) {
    it(`${code} after open: a new socket after the backoff, subscribing from the positions held`, () => {
      const h = socketClient();
      openAndAdvance(h);
      h.tick(1000); // the socket lived 1 s
      h.sockets[0].serverClose(code);

      // the first failures keep the stock spacing from the request's start: 15 s - 1 s
      assert.deepEqual(h.pendingTimers(), [14000]);
      h.tick(13999);
      assert.equal(h.sockets.length, 1, "not before the backoff");
      h.tick(1);
      assert.equal(h.sockets.length, 2);
      h.sockets[1].open();
      assert.deepEqual(plain(h.sockets[1].sent), [{ subscribe: { "/a": 3, "/b": 6 } }]);
      assert.equal(h.requests.length, 0, "still no poll");
      assert.equal(h.bus.activeTransport, "websocket");
      assert.deepEqual(
        h.logs.filter(([level]) => level === "warn"),
        [],
        "an expected close: nothing to warn about"
      );
    });
  }

  it("a socket that lived past callbackInterval is reopened after minPollInterval", () => {
    const h = socketClient();
    openAndAdvance(h);
    h.tick(20000);
    h.sockets[0].serverClose(1001);

    assert.deepEqual(h.pendingTimers(), [100]);
    h.tick(100);
    assert.equal(h.sockets.length, 2);
  });

  it("closes without a frame in between back off like failed polls (15 s, 15 s, 45 s, 60 s); a frame resets", () => {
    const h = socketClient();
    openAndAdvance(h);
    h.sockets[0].serverClose(1011); // failure 1 (the frame before reset the count)
    const delays = [];
    for (let i = 1; i <= 3; i++) {
      delays.push(h.pendingTimers()[0]);
      h.tick(delays[delays.length - 1]);
      assert.equal(h.sockets.length, i + 1);
      h.sockets[i].open();
      assert.deepEqual(plain(h.sockets[i].sent), [{ subscribe: { "/a": 3, "/b": 6 } }]);
      h.sockets[i].serverClose(1011); // failures 2, 3, 4: no frame, no reset
    }
    delays.push(h.pendingTimers()[0]);
    assert.deepEqual(delays, [15000, 15000, 45000, 60000]);

    // a socket that brings a frame resets the count: the stock spacing again
    h.tick(60000);
    h.sockets[4].open();
    h.sockets[4].receive([msg("/a", 4, "a4")]);
    h.sockets[4].serverClose(1011);
    assert.deepEqual(h.pendingTimers(), [15000]);
  });

  for (const code of GIVE_UP_CODES) {
    it(`${code}: the next transport at once, from the positions held, for good`, () => {
      const h = socketClient();
      const socket = openAndAdvance(h);
      socket.serverClose(code);

      assert.deepEqual(h.pendingTimers(), [100], "no backoff: minPollInterval");
      h.tick(100);
      assert.equal(h.requests.length, 1);
      assert.equal(h.last().url, `/message-bus/${h.bus.clientId}/poll`);
      assert.deepEqual(h.last().fields, { "/a": "3", "/b": "6", __seq: "2" });
      assert.equal(h.bus.activeTransport, "long-poll");
      assert.ok(h.logs.some(([level, text]) => level === "warn" && text.includes(`closed with ${code}, falling back`)));

      h.last().respond(200, [msg("/a", 4, "a4")]);
      h.tick(100);
      assert.equal(h.requests.length, 2, "the poll after it is a poll too");
      assert.equal(h.sockets.length, 1, "no socket again");
      assert.deepEqual(h.got, ["b6", "a4"]);
    });
  }

  it("a close before the first socket ever opened (a refused upgrade): the next transport at once", () => {
    const h = socketClient();
    h.sockets[0].serverClose(1006);

    assert.deepEqual(h.pendingTimers(), [100]);
    h.tick(100);
    assert.equal(h.sockets.length, 1);
    assert.equal(h.requests.length, 1);
    assert.deepEqual(h.last().fields, { "/a": "-1", "/b": "5", __seq: "2" });
    assert.equal(h.bus.activeTransport, "long-poll");
    assert.ok(h.logs.some(([level, text]) => level === "warn" && text.includes("websocket refused, falling back")));
  });

  it("a close before open after a socket of this page opened (a restart): websocket again after the backoff", () => {
    const h = socketClient();
    openAndAdvance(h);
    h.tick(20000);
    h.sockets[0].serverClose(1001); // failure 1
    h.tick(100);
    assert.equal(h.sockets.length, 2);
    h.sockets[1].serverClose(1006); // refused while the server restarts: failure 2

    assert.deepEqual(h.pendingTimers(), [15000]);
    h.tick(15000);
    assert.equal(h.sockets.length, 3, "a socket again");
    assert.equal(h.requests.length, 0, "no poll");
    h.sockets[2].open();
    assert.deepEqual(plain(h.sockets[2].sent), [{ subscribe: { "/a": 3, "/b": 6 } }]);
  });
});
