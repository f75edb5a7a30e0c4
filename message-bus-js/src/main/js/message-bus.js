/*!
 * message-bus.js — the browser client of MessageBus for Java (and of any message_bus server).
 * Dependency-free. Loaded as a classic script it defines the global `MessageBus` (and an AMD
 * module when `define.amd` exists); required as CommonJS it exports the client and defines no
 * global; message-bus.mjs is the same client as an ES module.
 * MIT License.
 */
(function (root) {
  "use strict";

  // @core-begin
  /*
   * How it works (one tab):
   *
   *   subscribe() ──> callbacks (per-callback last_id) ──> demand(channel, position) ──> poller
   *   poller: one request at a time; POST <baseUrl>message-bus/<clientId>/poll with channel=position
   *   reply / streamed piece ──> poller advances its positions ──> sink ──> dispatcher ──> callbacks
   *
   * The poller keeps one request position per channel; each callback keeps its own last_id and only
   * receives ids above it, so a channel re-read for a newer callback never repeats a message to an
   * older one. While paused, messages are queued (the poller still advances, so nothing is fetched
   * twice) and handed over in order on resume().
   *
   * With shareConnection = true, the tabs of one origin and baseUrl elect a leader with the Web
   * Locks API; only the leader runs a poller. The other tabs send it their demands over a
   * BroadcastChannel, and it broadcasts every batch it receives; each tab dispatches to its own
   * callbacks. When the leader's tab closes (or it stops), the browser releases its lock, the next
   * tab becomes leader, collects every tab's positions and resumes from them, so nothing is lost.
   */
  function createMessageBus(env) {
    var SEPARATOR = "\r\n|\r\n";
    var ESCAPED_SEPARATOR = /\r\n\|\|\r\n/g;
    var STATUS_CHANNEL = "/__status";
    var LOSS_CHANNEL = "/__loss";
    var LAST_AJAX_KEY = "__mbLastAjax";
    var SHARED_CLIENT_ID_KEY = "__mbSharedClientId";
    var SELF = "self";

    var XHR = env.XMLHttpRequest;
    var doc = env.document;
    var console_ = env.console || { log: function () {}, warn: function () {}, error: function () {} };

    var bus = {
      /** Allow long polling (the server must allow it too). */
      enableLongPolling: true,
      /** Allow streaming replies when long polling (needs XHR progress events). */
      enableChunkedEncoding: true,
      /**
       * Target spacing (ms) between the starts of polls that brought no data while the tab is visible
       * (also with enableLongPolling = false); unit of the error backoff.
       */
      callbackInterval: 15000,
      /** Target spacing (ms) between the starts of polls while the tab is hidden (and not alwaysLongPoll). */
      backgroundCallbackInterval: 60000,
      /** Delay (ms) before the next poll after data (non-streaming, tab visible) or after an abort. */
      minPollInterval: 100,
      /** Longest delay (ms) of the error backoff. */
      maxPollInterval: 180000,
      /** Minimum spacing (ms) of polls from hidden tabs, shared by the tabs of an origin (localStorage). */
      minHiddenPollInterval: 1500,
      /** Shortest wait (ms) after a 429 reply; a longer Retry-After wins. */
      minRetryAfter: 15000,
      /**
       * Every wait after a failed poll or a 429 is lengthened by a random fraction of itself, up to
       * this (0 = the stock client's exact delays), so that clients that failed together (a server
       * restart, an outage) come back spread out instead of in one instant. Never shortens a wait.
       */
      backoffJitter: 0.5,
      /** Long-poll even when the tab is hidden. */
      alwaysLongPoll: false,
      /** Optional function deciding whether to long-poll (replaces the visibility check). */
      shouldLongPollCallback: undefined,
      /** Abort a streaming request whose first piece has not arrived after this many ms. */
      firstChunkTimeout: 3000,
      /** After such an abort, this many requests are made without streaming. */
      retryChunkedAfterRequests: 30,
      /** Prefix of the endpoint, ending with "/"; may be absolute (another origin needs CORS). */
      baseUrl: "/",
      /** Extra request headers. */
      headers: {},
      /** Transport: function(options) -> {abort()}; jQuery.ajax-compatible. Default: built-in XHR. */
      ajax: xhrAjax,
      /** The id in the poll URL (server-side client_ids targeting). */
      clientId: newClientId(),
      /** Subscriptions: {channel, func, last_id}. Read-only for users. */
      callbacks: [],
      /** Share one connection among the tabs of this origin and baseUrl (set before start()). */
      shareConnection: false,
      /**
       * How to reach the server, in order of preference: "websocket" and "sse" (Server-Sent Events),
       * both needing a server of this project with that endpoint on, and "long-poll" (the
       * message_bus protocol). A transport that fails to open is left for the next one for the rest
       * of the page's life; long polling is always the last resort. "websocket" and "sse" are
       * skipped while `headers` is not empty (the browser cannot send headers with them) and while
       * the tab does not long-poll. Unknown names are skipped. Default ["long-poll"].
       */
      transports: ["long-poll"],
      /** The transport in use: "long-poll", "sse" or "websocket". Read-only. */
      activeTransport: "long-poll",
    };

    var started = false;
    var stopped = false;
    var paused = false;
    var later = [];
    var heads = {}; // channel -> last message id this tab has seen (messages and statuses)
    var visibilityListener = null;
    var pagehideListener = null;
    var pageshowListener = null;
    var shared = null; // shared-connection state when shareConnection is on and supported
    var poller = null; // the request loop, in a non-shared tab or the leader
    var stats = { totalAjaxCalls: 0, totalAjaxFailures: 0, lastAjaxAt: 0 };
    var KNOWN_TRANSPORTS = { websocket: true, sse: true, "long-poll": true };
    var warnedHeaders = {}; // transport -> true once the console was told
    var lossListeners = []; // functions given to onLoss
    // WebSocket close codes (docs/http.md): after these, reconnect after the backoff and resume
    var WS_RESUME_CODES = { 1001: true, 1006: true, 1011: true, 4408: true, 4429: true };
    // and after these the server will not take what we send: the next transport
    var WS_GIVE_UP_CODES = { 4400: true, 1003: true, 1009: true };

    // ---------------------------------------------------------------- utilities

    function now() {
      return Date.now();
    }

    function newClientId() {
      var bytes = new Array(16);
      var crypto = env.crypto;
      if (crypto && typeof crypto.getRandomValues === "function") {
        var a = new Uint8Array(16);
        crypto.getRandomValues(a);
        for (var i = 0; i < 16; i++) bytes[i] = a[i];
      } else {
        for (var j = 0; j < 16; j++) bytes[j] = Math.floor(Math.random() * 256);
      }
      bytes[6] = (bytes[6] & 0x0f) | 0x40;
      bytes[8] = (bytes[8] & 0x3f) | 0x80;
      var hex = "";
      for (var k = 0; k < 16; k++) hex += (bytes[k] + 0x100).toString(16).slice(1);
      return hex;
    }

    function storage() {
      try {
        var s = env.localStorage;
        if (!s) return null;
        s.setItem("mbTestLocalStorage", "1");
        s.removeItem("mbTestLocalStorage");
        return s;
      } catch (e) {
        return null;
      }
    }

    function isHidden() {
      if (!doc) return false;
      if (typeof doc.hidden === "boolean") return doc.hidden;
      if (typeof doc.webkitHidden === "boolean") return doc.webkitHidden;
      if (typeof doc.mozHidden === "boolean") return doc.mozHidden;
      if (typeof doc.msHidden === "boolean") return doc.msHidden;
      return false;
    }

    function visibilityEvent() {
      if (!doc) return null;
      if (typeof doc.hidden === "boolean") return "visibilitychange";
      if (typeof doc.webkitHidden === "boolean") return "webkitvisibilitychange";
      if (typeof doc.mozHidden === "boolean") return "mozvisibilitychange";
      if (typeof doc.msHidden === "boolean") return "msvisibilitychange";
      return null;
    }

    function checkNumber(name, min) {
      var v = bus[name];
      if (typeof v !== "number" || !isFinite(v) || v < min) {
        throw new Error("MessageBus." + name + " must be a number >= " + min + ", got " + v);
      }
    }

    function checkSettings() {
      checkNumber("callbackInterval", 0);
      checkNumber("backgroundCallbackInterval", 0);
      checkNumber("minPollInterval", 0);
      checkNumber("maxPollInterval", 0);
      checkNumber("minHiddenPollInterval", 0);
      checkNumber("minRetryAfter", 0);
      checkNumber("backoffJitter", 0);
      checkNumber("firstChunkTimeout", 1);
      checkNumber("retryChunkedAfterRequests", 0);
      if (typeof bus.baseUrl !== "string") throw new Error("MessageBus.baseUrl must be a string");
      if (bus.baseUrl.charAt(bus.baseUrl.length - 1) !== "/") bus.baseUrl += "/";
      if (typeof bus.ajax !== "function") throw new Error("MessageBus.ajax must be a function");
      if (bus.headers === null || typeof bus.headers !== "object") {
        throw new Error("MessageBus.headers must be an object");
      }
      if (typeof bus.clientId !== "string" || bus.clientId === "") {
        throw new Error("MessageBus.clientId must be a non-empty string");
      }
      if (!Array.isArray(bus.transports)) {
        throw new Error("MessageBus.transports must be an array, e.g. [\"websocket\", \"sse\", \"long-poll\"]");
      }
    }

    /** The transports to try, in order: the known ones of `transports`, then long polling. */
    function transportList() {
      var list = [];
      for (var i = 0; i < bus.transports.length; i++) {
        var t = bus.transports[i];
        if (KNOWN_TRANSPORTS[t] === true && list.indexOf(t) < 0) list.push(t);
      }
      if (list.indexOf("long-poll") < 0) list.push("long-poll");
      return list;
    }

    // ---------------------------------------------------------------- built-in transport

    function formEncode(data) {
      var parts = [];
      for (var key in data) {
        if (Object.prototype.hasOwnProperty.call(data, key)) {
          parts.push(encodeURIComponent(key) + "=" + encodeURIComponent(String(data[key])));
        }
      }
      return parts.join("&");
    }

    /** A small jQuery.ajax-compatible transport on XMLHttpRequest (form-encoded POST). */
    function xhrAjax(o) {
      var xhr = typeof o.xhr === "function" ? o.xhr() : new XHR();
      var done = false;
      var aborted = false;
      xhr.open(o.type || "POST", o.url, true);
      xhr.setRequestHeader("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8");
      var headers = o.headers || {};
      for (var h in headers) {
        if (Object.prototype.hasOwnProperty.call(headers, h)) xhr.setRequestHeader(h, headers[h]);
      }
      xhr.onreadystatechange = function () {
        if (xhr.readyState !== 4 || done) return;
        done = true;
        var textStatus;
        if (aborted) {
          textStatus = "abort";
          if (o.error) o.error(xhr, textStatus, "abort");
        } else if (xhr.status >= 200 && xhr.status < 300) {
          var body = xhr.responseText;
          textStatus = "success";
          if (o.dataType === "json") {
            try {
              body = JSON.parse(body);
            } catch (e) {
              textStatus = "parsererror";
            }
          }
          if (textStatus === "success") {
            if (o.success) o.success(body, textStatus, xhr);
          } else if (o.error) {
            o.error(xhr, textStatus, "invalid JSON");
          }
        } else {
          textStatus = "error";
          if (o.error) o.error(xhr, textStatus, xhr.statusText);
        }
        if (o.complete) o.complete(xhr, textStatus);
      };
      xhr.send(formEncode(o.data || {}));
      return {
        abort: function () {
          if (!done) {
            aborted = true;
            xhr.abort();
          }
        },
      };
    }

    // ---------------------------------------------------------------- dispatch (every tab)

    /** Hands a batch to this tab's callbacks; true if they processed it now (not queued while paused). */
    function handleBatch(messages) {
      if (!messages || !messages.length) return false;
      if (paused) {
        for (var i = 0; i < messages.length; i++) later.push(messages[i]);
        return false;
      }
      process(messages);
      return true;
    }

    function process(messages) {
      for (var i = 0; i < messages.length; i++) {
        var m = messages[i];
        if (!m || typeof m.channel !== "string") continue;
        if (m.channel === STATUS_CHANNEL) {
          applyStatus(m.data || {});
          continue;
        }
        if (m.channel === LOSS_CHANNEL) {
          applyLoss(m.data || {});
          continue;
        }
        heads[m.channel] = m.message_id;
        var cbs = bus.callbacks.slice();
        for (var j = 0; j < cbs.length; j++) {
          var cb = cbs[j];
          if (cb.channel !== m.channel || bus.callbacks.indexOf(cb) < 0) continue;
          if (cb.last_id === -1) continue; // "new only", positioned below
          if (cb.last_id >= 0 && m.message_id <= cb.last_id) continue; // already seen
          cb.last_id = m.message_id;
          try {
            cb.func(m.data, m.global_id, m.message_id);
          } catch (e) {
            console_.error(
              "MESSAGE BUS FAIL: callback " + cb.channel + " caused exception " + (e && e.stack ? e.stack : e)
            );
          }
        }
      }
      for (var k = 0; k < bus.callbacks.length; k++) {
        var c = bus.callbacks[k];
        if (c.last_id === -1 && heads[c.channel] !== undefined) c.last_id = heads[c.channel];
      }
    }

    function applyStatus(data) {
      for (var channel in data) {
        if (!Object.prototype.hasOwnProperty.call(data, channel)) continue;
        var position = data[channel];
        if (typeof position !== "number") continue;
        heads[channel] = position;
        for (var i = 0; i < bus.callbacks.length; i++) {
          if (bus.callbacks[i].channel === channel) bus.callbacks[i].last_id = position;
        }
      }
    }

    /**
     * The server's loss signal (docs/http.md): tells the onLoss listeners which ids of which of this
     * tab's channels are gone. A channel whose ids restarted (reset) is read again from the start of
     * its new numbering: its callbacks accept the lower ids that follow.
     */
    function applyLoss(data) {
      for (var channel in data) {
        if (!Object.prototype.hasOwnProperty.call(data, channel)) continue;
        var range = data[channel];
        if (!range || typeof range.from !== "number" || typeof range.to !== "number") continue;
        var mine = false;
        for (var i = 0; i < bus.callbacks.length; i++) {
          var cb = bus.callbacks[i];
          if (cb.channel !== channel) continue;
          mine = true;
          if (range.reset === true && cb.last_id >= 0) cb.last_id = range.from - 1;
        }
        if (!mine) continue;
        var info = { from: range.from, to: range.to, reset: range.reset === true };
        var listeners = lossListeners.slice();
        for (var k = 0; k < listeners.length; k++) {
          try {
            listeners[k](channel, info);
          } catch (e) {
            console_.error("MESSAGE BUS FAIL: loss listener caused exception " + (e && e.stack ? e.stack : e));
          }
        }
      }
    }

    /** Whether requests ask for the loss signal: a listener is registered, or the connection is shared. */
    function wantsLoss(sharedMode) {
      return lossListeners.length > 0 || !!sharedMode;
    }

    /** What this tab asks for a channel: the largest look-behind, else the lowest position, else -1. */
    function localWant(channel) {
      var lookBehind = 0;
      var lowest = -1;
      for (var i = 0; i < bus.callbacks.length; i++) {
        var cb = bus.callbacks[i];
        if (cb.channel !== channel) continue;
        if (cb.last_id <= -2 && cb.last_id < lookBehind) lookBehind = cb.last_id;
        if (cb.last_id >= 0 && (lowest < 0 || cb.last_id < lowest)) lowest = cb.last_id;
      }
      return lookBehind < 0 ? lookBehind : lowest;
    }

    function localDemands() {
      var out = {};
      for (var i = 0; i < bus.callbacks.length; i++) {
        var ch = bus.callbacks[i].channel;
        if (!Object.prototype.hasOwnProperty.call(out, ch)) out[ch] = localWant(ch);
      }
      return out;
    }

    // ---------------------------------------------------------------- the poller

    function Poller(sink, sharedMode) {
      this.sink = sink; // function(messages) -> gotData
      this.sharedMode = sharedMode;
      this.positions = {}; // channel -> request value
      this.owners = {}; // channel -> {participant: true}
      this.visibleParticipants = {}; // participant -> true (shared mode: which tabs are visible)
      this.request = null;
      this.timer = null;
      this.running = false;
      this.failCount = 0;
      this.chunkedBackoff = 0;
      this.lastSeq = 0;
      this.holdUntil = 0; // no subscription change may poll before this (429, error backoff)
      this.transportIndex = 0; // into transportList(): moves on when a transport fails to open
      this.socketOpened = false; // a WebSocket of this poller opened once: the server has the endpoint
    }

    /** Applies a participant's demand; returns the position a "-1" demand should start at, if known. */
    Poller.prototype.demand = function (participant, channel, want) {
      var owners = this.owners[channel] || (this.owners[channel] = {});
      owners[participant] = true;
      var has = Object.prototype.hasOwnProperty.call(this.positions, channel);
      var v = this.positions[channel];
      var next = v;
      if (!has) next = want;
      else if (want >= 0) next = v >= 0 ? Math.min(v, want) : want;
      else if (want <= -2) next = v <= -2 ? Math.min(v, want) : want;
      var changed = !has || next !== v;
      this.positions[channel] = next;
      if (changed) this.restart();
      return want === -1 && has && v >= 0 ? v : undefined;
    };

    Poller.prototype.release = function (participant, channel) {
      var owners = this.owners[channel];
      if (!owners) return;
      delete owners[participant];
      for (var p in owners) if (Object.prototype.hasOwnProperty.call(owners, p)) return;
      delete this.owners[channel];
      delete this.positions[channel];
      this.restart();
    };

    Poller.prototype.releaseAll = function (participant) {
      for (var channel in this.owners) {
        if (Object.prototype.hasOwnProperty.call(this.owners, channel) && this.owners[channel][participant]) {
          this.release(participant, channel);
        }
      }
      delete this.visibleParticipants[participant];
    };

    Poller.prototype.hasChannels = function () {
      for (var c in this.positions) if (Object.prototype.hasOwnProperty.call(this.positions, c)) return true;
      return false;
    };

    Poller.prototype.start = function () {
      this.running = true;
      this.poll();
    };

    Poller.prototype.stop = function () {
      this.running = false;
      this.clearTimer();
      if (this.request) this.abortRequest();
    };

    Poller.prototype.clearTimer = function () {
      if (this.timer !== null) {
        env.clearTimeout(this.timer);
        this.timer = null;
      }
    };

    Poller.prototype.schedule = function (delay) {
      var self = this;
      this.clearTimer();
      this.timer = env.setTimeout(function () {
        self.timer = null;
        self.poll();
      }, delay);
    };

    /** A subscription changed: abort the request in flight so the next one carries the change. */
    Poller.prototype.restart = function () {
      if (!this.running) return;
      if (this.request && this.request.handle && typeof this.request.handle.update === "function") {
        this.request.handle.update(); // an open WebSocket: tell the server, keep the socket
      } else if (this.request) this.abortRequest();
      else if (now() >= this.holdUntil) {
        // not while waiting out a 429 or an error backoff
        this.clearTimer();
        this.poll();
      }
    };

    Poller.prototype.abortRequest = function () {
      var r = this.request;
      if (!r) return;
      r.abortedByUs = true;
      try {
        r.handle.abort();
      } catch (e) {
        // the transport may have completed already
      }
    };

    Poller.prototype.anyVisible = function () {
      if (!isHidden()) return true;
      for (var p in this.visibleParticipants) {
        if (Object.prototype.hasOwnProperty.call(this.visibleParticipants, p)) return true;
      }
      return false;
    };

    Poller.prototype.shouldLongPoll = function () {
      if (bus.alwaysLongPoll) return true;
      if (typeof bus.shouldLongPollCallback === "function") return !!bus.shouldLongPollCallback();
      return this.anyVisible();
    };

    Poller.prototype.poll = function () {
      if (!this.running || this.request) return;
      if (!this.hasChannels()) return; // the next demand starts polling
      var store = storage();
      if (store && !this.anyVisible()) {
        var last = parseInt(store.getItem(LAST_AJAX_KEY), 10);
        if (last && now() - last < bus.minHiddenPollInterval) {
          if (this.timer === null) this.schedule(500 + Math.floor(Math.random() * 500));
          return;
        }
      }
      this.send(store);
    };

    Poller.prototype.send = function (store) {
      var self = this;
      stats.totalAjaxCalls += 1;
      var seq = this.sharedMode ? Math.max(this.lastSeq + 1, now()) : stats.totalAjaxCalls;
      this.lastSeq = seq;
      var data = {};
      for (var c in this.positions) {
        if (Object.prototype.hasOwnProperty.call(this.positions, c)) data[c] = this.positions[c];
      }
      data.__seq = seq;
      var longPoll = this.shouldLongPoll() && bus.enableLongPolling;
      var chunked = longPoll && bus.enableChunkedEncoding && supportsProgress();
      if (chunked && this.chunkedBackoff > 0) {
        this.chunkedBackoff -= 1;
        chunked = false;
      }
      var headers = { "X-SILENCE-LOGGER": "true" };
      for (var h in bus.headers) {
        if (Object.prototype.hasOwnProperty.call(bus.headers, h)) headers[h] = bus.headers[h];
      }
      if (!chunked) headers["Dont-Chunk"] = "true";
      var transport = longPoll ? this.transport() : "long-poll";
      bus.activeTransport = transport;
      stats.lastAjaxAt = now();
      if (store) {
        try {
          store.setItem(LAST_AJAX_KEY, String(stats.lastAjaxAt));
        } catch (e) {
          // quota or privacy mode: the hidden-tab spacing is then per tab
        }
      }

      var req = { abortedByUs: false, handle: null, startedAt: now(), gotData: false, retryMs: -1, failed: false };
      if (transport === "sse") {
        this.openEvents(req, data);
        return;
      }
      if (transport === "websocket") {
        this.openSocket(req);
        return;
      }
      var offset = 0;
      var streamed = null; // null until known: true for a streamed reply, false for a JSON one
      var firstChunkTimer = null;
      var finished = false;

      function clearFirstChunkTimer() {
        if (firstChunkTimer !== null) {
          env.clearTimeout(firstChunkTimer);
          firstChunkTimer = null;
        }
      }

      function isJson(xhr) {
        var type = xhr && xhr.getResponseHeader ? xhr.getResponseHeader("Content-Type") : null;
        return !!type && /^application\/json/i.test(type);
      }

      function deliver(messages) {
        if (req !== self.request || req.abortedByUs) return false;
        self.failCount = 0;
        self.advance(messages);
        return self.sink(messages);
      }

      function consume(text) {
        if (typeof text !== "string") return;
        for (;;) {
          var end = text.indexOf(SEPARATOR, offset);
          if (end < 0) return;
          var piece = text.substring(offset, end).replace(ESCAPED_SEPARATOR, SEPARATOR);
          offset = end + SEPARATOR.length;
          var messages;
          try {
            messages = JSON.parse(piece);
          } catch (e) {
            console_.warn("message-bus: skipping an unreadable streamed piece: " + e);
            continue;
          }
          deliver(messages);
        }
      }

      function onProgress(xhr) {
        clearFirstChunkTimer();
        if (streamed === null) streamed = !isJson(xhr);
        if (streamed) consume(xhr.responseText);
      }

      if (chunked) {
        firstChunkTimer = env.setTimeout(function () {
          firstChunkTimer = null;
          if (self.request === req && streamed === null) {
            self.chunkedBackoff = bus.retryChunkedAfterRequests;
            self.abortRequest();
          }
        }, bus.firstChunkTimeout);
      }

      this.request = req;
      var settled = false;
      function complete() {
        if (finished) return;
        finished = true;
        clearFirstChunkTimer();
        if (self.request === req) self.request = null;
        self.next(req);
      }
      req.handle = bus.ajax({
        url:
          bus.baseUrl +
          "message-bus/" +
          encodeURIComponent(bus.clientId) +
          "/poll" +
          (longPoll ? "" : "?dlp=t") +
          (wantsLoss(this.sharedMode) ? (longPoll ? "?" : "&") + "__loss=1" : ""),
        type: "POST",
        method: "POST",
        data: data,
        headers: headers,
        dataType: chunked ? "text" : "json",
        cache: false,
        async: true,
        xhr: function () {
          var xhr = new XHR();
          if (chunked) {
            xhr.onprogress = function () {
              onProgress(xhr);
            };
          }
          return xhr;
        },
        success: function (body, textStatus, xhr) {
          if (settled) return;
          settled = true;
          clearFirstChunkTimer();
          if (chunked && streamed === null) streamed = !isJson(xhr);
          if (chunked && streamed) {
            consume(typeof body === "string" ? body : xhr && xhr.responseText);
            return;
          }
          var messages = body;
          if (typeof body === "string") {
            try {
              messages = JSON.parse(body);
            } catch (e) {
              req.failed = true;
              self.fail();
              return;
            }
          }
          req.gotData = deliver(messages);
        },
        error: function (xhr, textStatus) {
          if (settled) return;
          settled = true;
          clearFirstChunkTimer();
          if (req.abortedByUs || textStatus === "abort") {
            req.abortedByUs = true;
          } else if (xhr && xhr.status === 429) {
            var header = xhr.getResponseHeader ? xhr.getResponseHeader("Retry-After") : null;
            var seconds = parseInt(header, 10);
            req.retryMs = Math.max(bus.minRetryAfter, isNaN(seconds) ? 0 : seconds * 1000);
          } else {
            req.failed = true;
            self.fail();
            if (xhr && xhr.status === 503) {
              // a draining or overloaded server says when to come back (the stock client ignores it)
              var after = parseInt(xhr.getResponseHeader ? xhr.getResponseHeader("Retry-After") : null, 10);
              if (!isNaN(after) && after >= 0) req.retryMs = after * 1000;
            }
          }
        },
        complete: complete,
      });
      if (!req.handle || typeof req.handle.abort !== "function") {
        req.handle = { abort: function () {} };
      }
    };

    /** The transport of the next request: the preferred one that can be used now. */
    Poller.prototype.transport = function () {
      var list = transportList();
      for (var i = this.transportIndex; i < list.length; i++) {
        var t = list[i];
        if (t === "sse") {
          if (typeof env.EventSource !== "function") continue;
          if (hasHeaders()) {
            if (!warnedHeaders.sse) {
              warnedHeaders.sse = true;
              console_.warn("message-bus: MessageBus.headers is set and EventSource cannot send headers: long polling");
            }
            continue;
          }
        }
        if (t === "websocket") {
          if (typeof env.WebSocket !== "function" || typeof env.URL !== "function") continue;
          if (hasHeaders()) {
            if (!warnedHeaders.websocket) {
              warnedHeaders.websocket = true;
              console_.warn(
                "message-bus: MessageBus.headers is set and a WebSocket cannot send headers: not using websocket"
              );
            }
            continue;
          }
        }
        return t;
      }
      return "long-poll";
    };

    function hasHeaders() {
      for (var h in bus.headers) if (Object.prototype.hasOwnProperty.call(bus.headers, h)) return true;
      return false;
    }

    /**
     * A Server-Sent Events stream as one request of the loop: GET <baseUrl>message-bus/<id>/sse with
     * the positions in the query. Each event is one message. When the server ends the stream the
     * browser reconnects by itself with Last-Event-ID (the positions of every channel), so the
     * request stays in flight; a subscription change aborts it as it aborts a poll. An error before
     * the stream opened moves on to the next transport; a failed reconnection ends the request as a
     * failed poll (the error backoff applies).
     */
    Poller.prototype.openEvents = function (req, data) {
      var self = this;
      var url =
        bus.baseUrl +
        "message-bus/" +
        encodeURIComponent(bus.clientId) +
        "/sse?" +
        formEncode(data) +
        (wantsLoss(this.sharedMode) ? "&__loss=1" : "");
      var source;
      var opened = false;
      var reconnecting = false;
      var finished = false;
      function finish() {
        if (finished) return;
        finished = true;
        try {
          source.close();
        } catch (e) {
          // already closed
        }
        if (self.request === req) self.request = null;
        self.next(req);
      }
      try {
        source = new env.EventSource(url);
      } catch (e) {
        this.transportIndex = transportList().indexOf("sse") + 1;
        req.abortedByUs = true;
        this.next(req);
        return;
      }
      this.request = req;
      req.handle = { abort: finish };
      source.onopen = function () {
        opened = true;
        reconnecting = false;
      };
      source.onmessage = function (event) {
        if (finished || req.abortedByUs) return;
        var message;
        try {
          message = JSON.parse(event.data);
        } catch (e) {
          console_.warn("message-bus: skipping an unreadable event: " + e);
          return;
        }
        self.failCount = 0;
        self.advance([message]);
        self.sink([message]);
      };
      source.onerror = function () {
        if (finished) return;
        if (!opened) {
          // Refused (an HTTP error, not an event stream) or unreachable: the next transport.
          console_.warn("message-bus: server-sent events unavailable, falling back");
          self.transportIndex = transportList().indexOf("sse") + 1;
          req.abortedByUs = true;
          finish();
        } else if (source.readyState === 0 && !reconnecting) {
          reconnecting = true; // the stream ended: the browser reconnects with Last-Event-ID
        } else {
          req.failed = true;
          self.fail();
          finish();
        }
      };
    };

    /** ws: or wss: URL of this client's socket, from baseUrl resolved against the page. */
    function socketUrl() {
      var url = new env.URL(
        bus.baseUrl + "message-bus/" + encodeURIComponent(bus.clientId) + "/ws",
        env.location && env.location.href
      );
      url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
      return url.href;
    }

    /**
     * A WebSocket as one request of the loop that stays in flight: on open it subscribes every
     * channel from its position (what a poll would send); each text frame is an array shaped like a
     * poll reply and is handled as one. A subscription change is sent over the socket (update), not
     * by reopening it. A close after open with a resumable code (1001, 1006, 1011, 4408, 4429) ends
     * the request as a failed poll: the error backoff applies, then a new socket resubscribes from
     * the positions held. A close before open moves on to the next transport if no socket of this
     * page ever opened (a refused upgrade); after one did, it is a failed reconnection (the server
     * restarting) and the backoff applies. A close with 4400, 1003 or 1009 moves on as well.
     */
    Poller.prototype.openSocket = function (req) {
      var self = this;
      var socket;
      var opened = false;
      var finished = false;
      var sent = {}; // channel -> the position the server last heard of (sent or advanced)
      function giveUp() {
        self.transportIndex = transportList().indexOf("websocket") + 1;
        req.abortedByUs = true; // no backoff: the next transport starts at once
      }
      function finish() {
        if (finished) return;
        finished = true;
        try {
          socket.close(1000);
        } catch (e) {
          // already closed
        }
        if (self.request === req) self.request = null;
        self.next(req);
      }
      function update() {
        if (finished || !opened) return; // before open: the subscribe on open carries everything
        var subscribe = {};
        var unsubscribe = [];
        var any = false;
        for (var c in self.positions) {
          if (!Object.prototype.hasOwnProperty.call(self.positions, c)) continue;
          if (!Object.prototype.hasOwnProperty.call(sent, c) || sent[c] !== self.positions[c]) {
            subscribe[c] = self.positions[c];
            sent[c] = self.positions[c];
            any = true;
          }
        }
        for (var s in sent) {
          if (Object.prototype.hasOwnProperty.call(sent, s) && !Object.prototype.hasOwnProperty.call(self.positions, s)) {
            unsubscribe.push(s);
          }
        }
        for (var u = 0; u < unsubscribe.length; u++) delete sent[unsubscribe[u]];
        var frame = {};
        if (unsubscribe.length) frame.unsubscribe = unsubscribe;
        if (any) frame.subscribe = subscribe;
        if (any && wantsLoss(self.sharedMode)) frame.loss = true;
        if (!unsubscribe.length && !any) return;
        try {
          socket.send(JSON.stringify(frame));
        } catch (e) {
          // closing: onclose decides what comes next
        }
      }
      try {
        socket = new env.WebSocket(socketUrl());
      } catch (e) {
        console_.warn("message-bus: websocket unavailable (" + e + "), falling back");
        giveUp();
        this.next(req);
        return;
      }
      this.request = req;
      req.handle = { abort: finish, update: update };
      socket.onopen = function () {
        opened = true;
        self.socketOpened = true;
        update();
      };
      socket.onmessage = function (event) {
        if (finished || req.abortedByUs || typeof event.data !== "string") return;
        var messages;
        try {
          messages = JSON.parse(event.data);
        } catch (e) {
          console_.warn("message-bus: skipping an unreadable frame: " + e);
          return;
        }
        if (!messages || !messages.length) return;
        self.failCount = 0;
        self.advance(messages);
        for (var c in sent) {
          if (Object.prototype.hasOwnProperty.call(sent, c) && Object.prototype.hasOwnProperty.call(self.positions, c)) {
            sent[c] = self.positions[c]; // the server moved on with us: no resubscribe needed
          }
        }
        self.sink(messages);
      };
      socket.onclose = function (event) {
        if (finished) return;
        var code = event && event.code;
        if ((!opened && !self.socketOpened) || WS_GIVE_UP_CODES[code] === true) {
          console_.warn(
            "message-bus: websocket " + (opened ? "closed with " + code : "refused") + ", falling back"
          );
          giveUp();
        } else {
          // WS_RESUME_CODES and anything unexpected: reconnect after the backoff, from the positions
          if (WS_RESUME_CODES[code] !== true) console_.warn("message-bus: websocket closed with " + code);
          req.failed = true;
          self.fail();
        }
        finish();
      };
    };

    Poller.prototype.fail = function () {
      this.failCount += 1;
      stats.totalAjaxFailures += 1;
    };

    /** Moves the request positions past what arrived, so nothing is fetched twice. */
    Poller.prototype.advance = function (messages) {
      if (!messages || !messages.length) return;
      for (var i = 0; i < messages.length; i++) {
        var m = messages[i];
        if (!m || typeof m.channel !== "string") continue;
        if (m.channel === STATUS_CHANNEL) {
          var d = m.data || {};
          for (var c in d) {
            if (Object.prototype.hasOwnProperty.call(d, c) && Object.prototype.hasOwnProperty.call(this.positions, c)) {
              this.positions[c] = d[c];
            }
          }
        } else if (Object.prototype.hasOwnProperty.call(this.positions, m.channel)) {
          this.positions[m.channel] = m.message_id;
        }
      }
    };

    /**
     * Schedules the next poll (SPEC §9.4, next-poll delay; the first matching case wins). "Long-polling
     * mode" is shouldLongPoll() when the request completes: a visible tab (or alwaysLongPoll, or the
     * callback's answer). enableLongPolling plays no part, so with it off a visible tab still polls
     * every callbackInterval and at once after data; backgroundCallbackInterval is for the other mode.
     */
    Poller.prototype.next = function (req) {
      if (!this.running) return;
      var delay;
      var longPollingMode = this.shouldLongPoll();
      this.holdUntil = 0;
      if (req.retryMs >= 0) {
        delay = jittered(Math.max(bus.minPollInterval, req.retryMs));
        this.holdUntil = now() + delay;
      } else if (req.abortedByUs) {
        delay = bus.minPollInterval;
      } else if (this.failCount > 2) {
        delay = jittered(Math.min(bus.callbackInterval * this.failCount, bus.maxPollInterval));
        this.holdUntil = now() + delay;
      } else if (longPollingMode && req.gotData) {
        delay = bus.minPollInterval; // gotData: a whole (non-streamed) reply carried messages
      } else {
        var target = longPollingMode ? bus.callbackInterval : bus.backgroundCallbackInterval;
        delay = Math.max(100, target - (now() - req.startedAt));
        // the first two failures keep the stock spacing from the poll's start, spread out
        if (req.failed) delay = jittered(delay);
      }
      this.schedule(delay);
    };

    /** A wait after a failure, lengthened by up to backoffJitter of itself (never shortened). */
    function jittered(delay) {
      return Math.round(delay * (1 + bus.backoffJitter * Math.random()));
    }

    /** The tab became visible: poll now instead of waiting for a background interval. */
    Poller.prototype.wake = function () {
      if (this.running && !this.request && this.timer !== null) {
        this.clearTimer();
        this.poll();
      }
    };

    var progressSupport = null;
    function supportsProgress() {
      if (progressSupport === null) {
        try {
          progressSupport = !!XHR && new XHR().onprogress === null;
        } catch (e) {
          progressSupport = false;
        }
      }
      return progressSupport;
    }

    // ---------------------------------------------------------------- local participant

    function demandLocal(channel) {
      var want = localWant(channel);
      if (poller) {
        var at = poller.demand(SELF, channel, want);
        if (at !== undefined) positionNewCallbacks(channel, at);
      } else if (shared) {
        shared.post({ t: "demand", tab: shared.tab, channel: channel, want: want });
      }
    }

    function releaseLocal(channel) {
      if (poller) poller.release(SELF, channel);
      else if (shared) shared.post({ t: "release", tab: shared.tab, channel: channel });
    }

    function positionNewCallbacks(channel, position) {
      heads[channel] = position;
      for (var i = 0; i < bus.callbacks.length; i++) {
        var cb = bus.callbacks[i];
        if (cb.channel === channel && cb.last_id === -1) cb.last_id = position;
      }
    }

    function becomePoller(sharedMode) {
      poller = new Poller(function (messages) {
        if (shared) shared.post({ t: "messages", messages: messages });
        var processed = handleBatch(messages);
        // Shared: the other tabs process the batch whether or not this one is paused.
        return sharedMode ? !!(messages && messages.length) : processed;
      }, sharedMode);
      var demands = localDemands();
      for (var channel in demands) {
        if (Object.prototype.hasOwnProperty.call(demands, channel)) poller.demand(SELF, channel, demands[channel]);
      }
      poller.start();
    }

    // ---------------------------------------------------------------- shared connection

    function sharedSupported() {
      return (
        typeof env.BroadcastChannel === "function" &&
        env.navigator &&
        env.navigator.locks &&
        typeof env.navigator.locks.request === "function"
      );
    }

    function absoluteBase() {
      try {
        return new env.URL(bus.baseUrl, env.location && env.location.href).href;
      } catch (e) {
        return bus.baseUrl;
      }
    }

    function joinShared() {
      var store = storage();
      if (store) {
        var id = store.getItem(SHARED_CLIENT_ID_KEY);
        if (!id) {
          id = bus.clientId;
          store.setItem(SHARED_CLIENT_ID_KEY, id);
        }
        bus.clientId = id;
      }
      var name = "message-bus:" + absoluteBase();
      var channel = new env.BroadcastChannel(name);
      var controller = typeof env.AbortController === "function" ? new env.AbortController() : null;
      shared = {
        tab: newClientId(),
        channel: channel,
        leader: false,
        release: null,
        controller: controller,
        post: function (msg) {
          try {
            channel.postMessage(msg);
          } catch (e) {
            console_.warn("message-bus: cannot reach the other tabs: " + e);
          }
        },
      };
      var me = shared;
      channel.onmessage = function (event) {
        if (shared !== me) return;
        onSharedMessage(event.data || {});
      };
      var options = controller ? { signal: controller.signal } : {};
      env.navigator.locks
        .request(name, options, function () {
          if (shared !== me) return undefined;
          me.leader = true;
          becomePoller(true);
          me.post({ t: "leader", tab: me.tab });
          return new Promise(function (resolve) {
            me.release = resolve;
          });
        })
        .catch(function (e) {
          if (!e || e.name !== "AbortError") console_.warn("message-bus: leader election failed: " + e);
        });
      me.post(helloMessage());
    }

    function helloMessage() {
      return { t: "hello", tab: shared.tab, demands: localDemands(), visible: !isHidden() };
    }

    function onSharedMessage(msg) {
      if (poller) {
        // leader
        if (msg.t === "hello") {
          poller.releaseAll(msg.tab);
          if (msg.visible) poller.visibleParticipants[msg.tab] = true;
          var statuses = {};
          var any = false;
          for (var ch in msg.demands) {
            if (!Object.prototype.hasOwnProperty.call(msg.demands, ch)) continue;
            var at = poller.demand(msg.tab, ch, msg.demands[ch]);
            if (at !== undefined) {
              statuses[ch] = at;
              any = true;
            }
          }
          if (any) shared.post({ t: "status", tab: msg.tab, data: statuses });
          poller.wake();
        } else if (msg.t === "demand") {
          var pos = poller.demand(msg.tab, msg.channel, msg.want);
          if (pos !== undefined) {
            var data = {};
            data[msg.channel] = pos;
            shared.post({ t: "status", tab: msg.tab, data: data });
          }
        } else if (msg.t === "release") {
          poller.release(msg.tab, msg.channel);
        } else if (msg.t === "bye") {
          poller.releaseAll(msg.tab);
        } else if (msg.t === "visible") {
          if (msg.visible) {
            poller.visibleParticipants[msg.tab] = true;
            poller.wake();
          } else {
            delete poller.visibleParticipants[msg.tab];
          }
        }
      } else if (msg.t === "messages") {
        handleBatch(msg.messages);
      } else if (msg.t === "status" && msg.tab === shared.tab) {
        var d = msg.data || {};
        for (var c in d) if (Object.prototype.hasOwnProperty.call(d, c)) positionNewCallbacks(c, d[c]);
      } else if (msg.t === "leader") {
        shared.post(helloMessage());
      }
    }

    function leaveShared() {
      var s = shared;
      if (!s) return;
      shared = null;
      if (!s.leader) s.post({ t: "bye", tab: s.tab });
      if (s.release) s.release();
      if (s.controller && !s.leader) s.controller.abort();
      try {
        s.channel.close();
      } catch (e) {
        // already closed
      }
    }

    // ---------------------------------------------------------------- public API

    function onVisibilityChange() {
      var visible = !isHidden();
      if (shared && !shared.leader) shared.post({ t: "visible", tab: shared.tab, visible: visible });
      if (visible && poller) poller.wake();
    }

    bus.onVisibilityChange = onVisibilityChange;

    bus.start = function () {
      if (started) return;
      checkSettings();
      started = true;
      stopped = false;
      var event = visibilityEvent();
      if (event && doc.addEventListener) {
        visibilityListener = onVisibilityChange;
        doc.addEventListener(event, visibilityListener, false);
      }
      if (bus.shareConnection && sharedSupported()) {
        joinShared();
        if (typeof env.addEventListener === "function") {
          // Leaving the page (or entering the back/forward cache): stop polling and hand the
          // connection over at once; a page restored from that cache joins again.
          pagehideListener = function () {
            if (poller) poller.stop();
            poller = null;
            leaveShared();
          };
          pageshowListener = function (event) {
            if (event && event.persisted && started && !shared && !poller) joinShared();
          };
          env.addEventListener("pagehide", pagehideListener);
          env.addEventListener("pageshow", pageshowListener);
        }
      } else {
        if (bus.shareConnection) {
          console_.warn("message-bus: shareConnection needs BroadcastChannel and Web Locks; polling alone");
        }
        becomePoller(false);
      }
    };

    bus.stop = function () {
      stopped = true;
      started = false;
      if (visibilityListener && doc && doc.removeEventListener) {
        doc.removeEventListener(visibilityEvent(), visibilityListener, false);
      }
      visibilityListener = null;
      if (pagehideListener && typeof env.removeEventListener === "function") {
        env.removeEventListener("pagehide", pagehideListener);
        env.removeEventListener("pageshow", pageshowListener);
      }
      pagehideListener = null;
      pageshowListener = null;
      if (poller) poller.stop();
      poller = null;
      leaveShared();
    };

    bus.pause = function () {
      paused = true;
    };

    bus.resume = function () {
      paused = false;
      var queued = later;
      later = [];
      process(queued);
    };

    bus.status = function () {
      if (paused) return "paused";
      if (started) return "started";
      return "stopped";
    };

    bus.subscribe = function (channel, func, lastId) {
      if (typeof channel !== "string" || channel === "") {
        throw new TypeError("MessageBus.subscribe: channel must be a non-empty string, got " + channel);
      }
      if (typeof func !== "function") {
        throw new TypeError("MessageBus.subscribe: func must be a function");
      }
      if (lastId === undefined || lastId === null) lastId = -1;
      if (typeof lastId !== "number" || !isFinite(lastId) || Math.floor(lastId) !== lastId) {
        throw new TypeError("MessageBus.subscribe: lastId must be an integer, got " + typeof lastId + " " + lastId);
      }
      if (!started && !stopped) bus.start();
      var cb = { channel: channel, func: func, last_id: lastId };
      if (lastId === -1 && heads[channel] !== undefined) cb.last_id = heads[channel];
      bus.callbacks.push(cb);
      demandLocal(channel);
      return func;
    };

    bus.unsubscribe = function (channel, func) {
      if (typeof channel !== "string") {
        throw new TypeError("MessageBus.unsubscribe: channel must be a string, got " + channel);
      }
      var prefix = null;
      if (channel.charAt(channel.length - 1) === "*") prefix = channel.slice(0, -1);
      var removed = false;
      var touched = {};
      for (var i = bus.callbacks.length - 1; i >= 0; i--) {
        var cb = bus.callbacks[i];
        var matches = prefix === null ? cb.channel === channel : cb.channel.indexOf(prefix) === 0;
        if (matches && (!func || cb.func === func)) {
          bus.callbacks.splice(i, 1);
          touched[cb.channel] = true;
          removed = true;
        }
      }
      for (var ch in touched) {
        if (!Object.prototype.hasOwnProperty.call(touched, ch)) continue;
        var still = false;
        for (var j = 0; j < bus.callbacks.length; j++) if (bus.callbacks[j].channel === ch) still = true;
        if (!still) {
          releaseLocal(ch);
          delete heads[ch];
        }
      }
      return removed;
    };

    /**
     * Registers a loss listener, called as fn(channel, {from, to, reset}) when the server reports that
     * messages of a subscribed channel are gone (trimmed from its backlog before this client read
     * them, or its ids restarted: reset true). While a listener is registered every request asks the
     * server for this signal (__loss=1; "loss": true over a WebSocket). Returns a function that
     * removes the listener.
     */
    bus.onLoss = function (fn) {
      if (typeof fn !== "function") {
        throw new TypeError("MessageBus.onLoss: the listener must be a function, got " + fn);
      }
      lossListeners.push(fn);
      return function () {
        var i = lossListeners.indexOf(fn);
        if (i >= 0) lossListeners.splice(i, 1);
      };
    };

    bus.diagnostics = function () {
      var report = {
        status: bus.status(),
        clientId: bus.clientId,
        role: shared ? (shared.leader ? "leader" : "follower") : "alone",
        callbacks: bus.callbacks.map(function (cb) {
          return { channel: cb.channel, last_id: cb.last_id };
        }),
        positions: poller ? JSON.parse(JSON.stringify(poller.positions)) : null,
        totalAjaxCalls: stats.totalAjaxCalls,
        failCount: poller ? poller.failCount : 0,
        totalAjaxFailures: stats.totalAjaxFailures,
        msSinceLastAjax: stats.lastAjaxAt ? now() - stats.lastAjaxAt : null,
        queuedWhilePaused: later.length,
      };
      if (console_.log) console_.log("MessageBus diagnostics: " + JSON.stringify(report));
      return report;
    };

    return bus;
  }
  // @core-end

  var bus = createMessageBus(root);
  if (typeof module === "object" && module && typeof module.exports === "object") {
    // CommonJS (require() in Node or a bundler): the client is the module's export; no global.
    bus.noConflict = function () {
      return bus;
    };
    module.exports = bus;
    return;
  }
  var previous = root.MessageBus;
  /** Restores whatever `MessageBus` was before this script and returns this client. */
  bus.noConflict = function () {
    if (root.MessageBus === bus) root.MessageBus = previous;
    return bus;
  };
  root.MessageBus = bus;
  if (typeof root.define === "function" && root.define.amd) {
    root.define([], function () {
      return bus;
    });
  }
})(typeof globalThis !== "undefined" ? globalThis : typeof self !== "undefined" ? self : this);
