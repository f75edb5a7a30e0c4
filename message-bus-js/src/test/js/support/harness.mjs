// Loads message-bus.js, exactly as shipped, into a fresh V8 context with a fake browser: a manual
// clock and timers, a scriptable XMLHttpRequest, a document whose visibility the test sets, and
// localStorage. Nothing in a unit test waits for real time.
import { readFileSync } from "node:fs";
import { webcrypto } from "node:crypto";
import vm from "node:vm";

export const SOURCE_PATH = new URL("../../../main/js/message-bus.js", import.meta.url);
const SOURCE = readFileSync(SOURCE_PATH, "utf8");

export function load({ hidden = false, progress = true, storage = true, previous } = {}) {
  let clock = 1_000_000;
  let timerIds = 0;
  const timers = new Map();
  const requests = [];
  const logs = [];
  const listeners = {};

  class FakeXHR {
    constructor() {
      if (progress) this.onprogress = null;
      this.readyState = 0;
      this.status = 0;
      this.responseText = "";
      this.requestHeaders = {};
      this.responseHeaders = {};
      this.aborted = false;
    }
    open(method, url) {
      this.method = method;
      this.url = url;
      this.readyState = 1;
    }
    setRequestHeader(name, value) {
      this.requestHeaders[name] = value;
    }
    send(body) {
      this.body = body;
      requests.push(this);
    }
    getResponseHeader(name) {
      const key = Object.keys(this.responseHeaders).find((k) => k.toLowerCase() === name.toLowerCase());
      return key === undefined ? null : this.responseHeaders[key];
    }
    abort() {
      this.aborted = true;
      this.readyState = 4;
      this.status = 0;
      this.onreadystatechange?.();
    }
    /** Test side: a streamed progress event with the whole text received so far. */
    stream(text, headers = { "Content-Type": "text/plain; charset=utf-8" }) {
      this.responseHeaders = headers;
      this.status = 200;
      this.readyState = 3;
      this.responseText = text;
      this.onprogress?.({});
    }
    /** Test side: completes the request. */
    respond(status, body = "", headers = { "Content-Type": "application/json; charset=utf-8" }) {
      this.responseHeaders = headers;
      this.status = status;
      this.responseText = typeof body === "string" ? body : JSON.stringify(body);
      this.readyState = 4;
      this.onreadystatechange?.();
    }
    get fields() {
      return Object.fromEntries(new URLSearchParams(this.body));
    }
  }

  const store = new Map();
  const localStorage = storage
    ? {
        getItem: (k) => (store.has(k) ? store.get(k) : null),
        setItem: (k, v) => store.set(k, String(v)),
        removeItem: (k) => store.delete(k),
      }
    : undefined;

  const document = {
    hidden,
    addEventListener: (type, fn) => (listeners[type] ??= []).push(fn),
    removeEventListener: (type, fn) => (listeners[type] = (listeners[type] ?? []).filter((f) => f !== fn)),
  };

  const sandbox = {
    Date: { now: () => clock },
    setTimeout: (fn, ms) => {
      const id = ++timerIds;
      timers.set(id, { at: clock + Math.max(0, ms | 0), fn, id });
      return id;
    },
    clearTimeout: (id) => timers.delete(id),
    XMLHttpRequest: FakeXHR,
    document,
    localStorage,
    crypto: webcrypto,
    console: {
      log: (m) => logs.push(["log", String(m)]),
      warn: (m) => logs.push(["warn", String(m)]),
      error: (m) => logs.push(["error", String(m)]),
    },
  };
  if (previous !== undefined) sandbox.MessageBus = previous;
  const context = vm.createContext(sandbox);
  vm.runInContext(SOURCE, context, { filename: "message-bus.js" });

  /** Advances the clock by ms, running due timers in order. */
  function tick(ms) {
    const end = clock + ms;
    for (;;) {
      const due = [...timers.values()].filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      timers.delete(due.id);
      clock = due.at;
      due.fn();
    }
    clock = end;
  }

  return {
    bus: context.MessageBus,
    context,
    requests,
    logs,
    store,
    document,
    tick,
    now: () => clock,
    last: () => requests[requests.length - 1],
    pendingTimers: () => [...timers.values()].map((t) => t.at - clock).sort((a, b) => a - b),
    setHidden(value) {
      document.hidden = value;
      for (const fn of listeners.visibilitychange ?? []) fn();
    },
  };
}

/** A reply body: messages as the server writes them. */
export function msg(channel, messageId, data, globalId = messageId) {
  return { global_id: globalId, message_id: messageId, channel, data };
}

export function status(positions) {
  return { global_id: -1, message_id: -1, channel: "/__status", data: positions };
}

export const SEP = "\r\n|\r\n";
