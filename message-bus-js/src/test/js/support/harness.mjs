// Loads message-bus.js, exactly as shipped, into a fresh V8 context with a fake browser: a manual
// clock and timers, a scriptable XMLHttpRequest, a document whose visibility the test sets, and
// localStorage. Nothing in a unit test waits for real time.
import { readFileSync } from "node:fs";
import { webcrypto } from "node:crypto";
import vm from "node:vm";

export const SOURCE_PATH = new URL("../../../main/js/message-bus.js", import.meta.url);
const SOURCE = readFileSync(SOURCE_PATH, "utf8");

/**
 * A fake browser shared by several tabs: one clock and timer queue, one localStorage, and what tabs
 * need to share a connection (BroadcastChannel, Web Locks). Pass it as `world` to load() per tab.
 */
export function browserWorld() {
  const world = {
    clock: 1_000_000,
    timerIds: 0,
    timers: new Map(),
    store: new Map(),
    channels: new Set(),
    locks: new Map(), // name -> {holder, queue: [{cb, resolve, reject, signal}]}
  };
  world.setTimeout = (fn, ms) => {
    const id = ++world.timerIds;
    world.timers.set(id, { at: world.clock + Math.max(0, ms | 0), fn, id });
    return id;
  };
  world.BroadcastChannel = class {
    constructor(name) {
      this.name = name;
      this.onmessage = null;
      world.channels.add(this);
    }
    postMessage(data) {
      const copy = structuredClone(data);
      for (const other of world.channels) {
        if (other !== this && other.name === this.name) {
          world.setTimeout(() => other.onmessage?.({ data: structuredClone(copy) }), 0);
        }
      }
    }
    close() {
      world.channels.delete(this);
    }
  };
  const grant = (name) => {
    const lock = world.locks.get(name);
    if (lock.holder || lock.queue.length === 0) return;
    const next = lock.queue.shift();
    lock.holder = next;
    world.setTimeout(() => {
      Promise.resolve(next.cb())
        .then(next.resolve, next.reject)
        .finally(() => {
          lock.holder = null;
          grant(name);
        });
    }, 0);
  };
  world.navigator = {
    locks: {
      request(name, options, cb) {
        const lock = world.locks.get(name) ?? { holder: null, queue: [] };
        world.locks.set(name, lock);
        return new Promise((resolve, reject) => {
          const entry = { cb, resolve, reject };
          options?.signal?.addEventListener("abort", () => {
            const i = lock.queue.indexOf(entry);
            if (i >= 0) {
              lock.queue.splice(i, 1);
              reject(Object.assign(new Error("aborted"), { name: "AbortError" }));
            }
          });
          lock.queue.push(entry);
          grant(name);
        });
      },
    },
  };
  /** Advances the clock by ms, running due timers in order and letting promises settle between them. */
  world.tick = async (ms) => {
    const end = world.clock + ms;
    for (;;) {
      await new Promise((r) => setImmediate(r));
      const due = [...world.timers.values()].filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      world.timers.delete(due.id);
      world.clock = due.at;
      due.fn();
    }
    world.clock = end;
  };
  return world;
}

/**
 * Loads the client into a new fake tab. `previous`: a global MessageBus defined before the script;
 * `commonjs`: give the script a CommonJS `module` (then `bus` is module.exports); `amd`: give it an
 * AMD `define` (its registrations are in `defined`).
 */
export function load({
  hidden = false,
  progress = true,
  storage = true,
  previous,
  world,
  commonjs = false,
  amd = false,
  webSocket = false,
} = {}) {
  const own = world ?? browserWorld();
  let clock = 1_000_000;
  let timerIds = 0;
  const timers = world ? own.timers : new Map();
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

  const sockets = [];

  /**
   * A scriptable browser WebSocket (webSocket: true): the test opens it, pushes frames and closes
   * it with a code; what the client sends and how it closes are recorded.
   */
  class FakeWebSocket {
    constructor(url) {
      this.url = url;
      this.readyState = 0;
      this.sent = [];
      this.closedWith = null; // the code of the client's close()
      this.onopen = null;
      this.onmessage = null;
      this.onclose = null;
      this.onerror = null;
      sockets.push(this);
    }
    send(text) {
      if (this.readyState !== 1) throw new Error("InvalidStateError: not open");
      this.sent.push(JSON.parse(text));
    }
    close(code) {
      if (this.closedWith === null) this.closedWith = code === undefined ? 1005 : code;
      this.readyState = 3;
    }
    /** Test side: the upgrade succeeded. */
    open() {
      this.readyState = 1;
      this.onopen?.({});
    }
    /** Test side: the server sends a text frame (an array of messages). */
    receive(messages) {
      this.onmessage?.({ data: JSON.stringify(messages) });
    }
    /** Test side: the connection closed with a code (a refused upgrade is 1006 before open). */
    serverClose(code, reason = "") {
      this.readyState = 3;
      this.onclose?.({ code, reason, wasClean: code !== 1006 });
    }
  }

  const store = world ? own.store : new Map();
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

  const windowListeners = {};
  const sandbox = {
    Date: { now: () => (world ? own.clock : clock) },
    setTimeout: world
      ? own.setTimeout
      : (fn, ms) => {
          const id = ++timerIds;
          timers.set(id, { at: clock + Math.max(0, ms | 0), fn, id });
          return id;
        },
    clearTimeout: (id) => timers.delete(id),
    addEventListener: (type, fn) => (windowListeners[type] ??= []).push(fn),
    removeEventListener: (type, fn) =>
      (windowListeners[type] = (windowListeners[type] ?? []).filter((f) => f !== fn)),
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
  if (world) {
    sandbox.BroadcastChannel = own.BroadcastChannel;
    sandbox.navigator = own.navigator;
    sandbox.AbortController = AbortController;
    sandbox.URL = URL;
    sandbox.location = { href: "http://app.test/page" };
  }
  if (webSocket) {
    sandbox.WebSocket = FakeWebSocket;
    sandbox.URL = URL;
    sandbox.location ??= { href: "http://app.test/page" };
  }
  if (previous !== undefined) sandbox.MessageBus = previous;
  if (commonjs) sandbox.module = { exports: {} };
  const defined = [];
  if (amd) {
    sandbox.define = (deps, factory) => defined.push({ deps, value: factory() });
    sandbox.define.amd = {};
  }
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
    bus: commonjs ? context.module.exports : context.MessageBus,
    context,
    defined,
    requests,
    sockets,
    logs,
    store,
    document,
    tick,
    now: () => (world ? own.clock : clock),
    /** Fires a window event, e.g. "pagehide" when the tab closes. */
    fire(type, event = {}) {
      for (const fn of windowListeners[type] ?? []) fn(event);
    },
    last: () => requests[requests.length - 1],
    /** Replaces the page's Math.random (the client's jitter draws from it). */
    stubRandom(fn) {
      vm.runInContext("Math", context).random = fn;
    },
    pendingTimers: () =>
      [...timers.values()].map((t) => t.at - (world ? own.clock : clock)).sort((a, b) => a - b),
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
