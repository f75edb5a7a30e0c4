// MessageBus for Java — the diagnostics page (SPEC §6.3). Dependency-free: it long-polls the bus
// with fetch for /_diagnostics/process-discovery and lists the processes that answer; above that,
// the live dashboard of the process that serves the page, refreshed from _diagnostics/stats.json,
// unless the server turned it off (data-dashboard="false" on #app, or stats.json answers 404).
(function () {
  "use strict";

  var CHANNEL = "/_diagnostics/process-discovery";
  var app = document.getElementById("app");
  var busPath = app.getAttribute("data-bus-path"); // e.g. "/message-bus/"
  var clientId = randomId();
  var seq = 0;
  var lastId = -1;
  var failures = 0;
  var rows = {}; // "hostname pid" -> process description

  function randomId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map
      .call(bytes, function (b) {
        return (b < 16 ? "0" : "") + b.toString(16);
      })
      .join("");
  }

  function el(tag, text) {
    var node = document.createElement(tag);
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  var heading = el("h1", "Message Bus Diagnostics");
  var discover = el("button", "Discover Processes");
  var status = el("p", "");
  var processes = el("h2", "Processes");
  var table = el("table");
  var head = el("tr");
  ["pid", "full_path", "hostname", "uptime", ""].forEach(function (name) {
    head.appendChild(el("th", name));
  });
  table.appendChild(head);
  var body = el("tbody");
  table.appendChild(body);
  app.appendChild(heading);
  if (app.getAttribute("data-dashboard") !== "false") app.appendChild(dashboard(busPath));
  app.appendChild(processes);
  app.appendChild(discover);
  app.appendChild(status);
  app.appendChild(table);

  function post(path) {
    return fetch(busPath + path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-SILENCE-LOGGER": "true" },
    }).then(function (response) {
      if (!response.ok) {
        return response.text().then(function (reason) {
          throw new Error(response.status + " " + reason);
        });
      }
    });
  }

  discover.addEventListener("click", function () {
    discover.disabled = true;
    status.textContent = "";
    post("_diagnostics/discover")
      .catch(function (e) {
        status.textContent = "Discovery failed: " + e.message;
      })
      .then(function () {
        discover.disabled = false;
      });
  });

  function render() {
    while (body.firstChild) body.removeChild(body.firstChild);
    Object.keys(rows)
      .sort()
      .forEach(function (key) {
        var p = rows[key];
        var tr = el("tr");
        tr.appendChild(el("td", p.pid));
        tr.appendChild(el("td", p.full_path));
        tr.appendChild(el("td", p.hostname));
        tr.appendChild(el("td", p.uptime + " secs"));
        var cell = el("td");
        var hup = el("button", "HUP");
        hup.addEventListener("click", function () {
          hup.disabled = true;
          post(
            "_diagnostics/hup/" + encodeURIComponent(p.hostname) + "/" + encodeURIComponent(p.pid)
          )
            .catch(function (e) {
              status.textContent = "HUP failed: " + e.message;
            })
            .then(function () {
              hup.disabled = false;
            });
        });
        cell.appendChild(hup);
        tr.appendChild(cell);
        body.appendChild(tr);
      });
  }

  function receive(message) {
    if (message.channel === "/__status") {
      if (message.data && typeof message.data[CHANNEL] === "number") {
        lastId = message.data[CHANNEL];
      }
      return;
    }
    if (message.channel !== CHANNEL) return;
    lastId = message.message_id;
    var p = message.data || {};
    rows[p.hostname + " " + p.pid] = p;
    render();
  }

  function wait(ms) {
    return new Promise(function (resolve) {
      setTimeout(resolve, ms);
    });
  }

  function poll() {
    var request = { __seq: seq++ };
    request[CHANNEL] = lastId;
    return fetch(busPath + clientId + "/poll", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Dont-Chunk": "true" },
      body: JSON.stringify(request),
    })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (messages) {
        failures = 0;
        messages.forEach(receive);
        return wait(500); // the callback interval of the original page
      })
      .catch(function () {
        failures++;
        return wait(Math.min(30000, 500 * Math.pow(2, failures)));
      })
      .then(poll);
  }

  poll();

  // ------------------------------------------------------------------------------ the dashboard

  /**
   * The live dashboard of this process: tiles of current values, charts of the last minutes
   * (inline SVG), the busiest channels, the backend and the errors. Every element that shows a
   * number carries a data-stat (or data-col) attribute naming it.
   */
  function dashboard(path) {
    var SVG = "http://www.w3.org/2000/svg";
    var root = el("section");
    root.id = "mb-dashboard";
    var style = el("style");
    style.textContent =
      "#mb-dashboard{font-family:sans-serif}" +
      "#mb-dashboard .tiles{display:flex;flex-wrap:wrap;gap:8px}" +
      "#mb-dashboard .tile{border:1px solid #ccc;border-radius:4px;padding:4px 8px;min-width:110px}" +
      "#mb-dashboard .tile b{display:block;font-size:1.4em}" +
      "#mb-dashboard .charts{display:flex;flex-wrap:wrap;gap:12px;margin:8px 0}" +
      "#mb-dashboard figure{margin:0}" +
      "#mb-dashboard svg{border:1px solid #ddd;background:#fafafa}" +
      "#mb-dashboard polyline{fill:none;stroke:#36c;stroke-width:1.5}" +
      "#mb-dashboard table{border-collapse:collapse}" +
      "#mb-dashboard td,#mb-dashboard th{border:1px solid #ddd;padding:2px 6px;text-align:left}";
    root.appendChild(style);
    var title = el("h2", "This process");
    var where = el("p", "");
    where.setAttribute("data-stat", "process");
    var state = el("p", "Loading\u2026");
    state.setAttribute("data-stat", "status");
    root.appendChild(title);
    root.appendChild(where);
    root.appendChild(state);

    var tiles = el("div");
    tiles.className = "tiles";
    var tileValues = {};
    [
      ["held_polls", "held polls"],
      ["sse_streams", "SSE streams"],
      ["websockets", "WebSockets"],
      ["subscriptions", "subscriptions"],
      ["publishes", "publishes"],
      ["dispatched", "dispatched"],
      ["delivered", "delivered to clients"],
    ].forEach(function (t) {
      var tile = el("div");
      tile.className = "tile";
      var value = el("b", "\u2013");
      value.setAttribute("data-stat", t[0]);
      tile.appendChild(value);
      tile.appendChild(el("span", t[1]));
      tiles.appendChild(tile);
      tileValues[t[0]] = value;
    });
    root.appendChild(tiles);

    var charts = el("div");
    charts.className = "charts";
    var chartParts = {};
    [
      ["held_polls", "held polls"],
      ["publishes", "publishes / s"],
      ["delivered", "deliveries / s"],
      ["errors", "errors / s"],
    ].forEach(function (c) {
      var figure = el("figure");
      figure.setAttribute("data-chart", c[0]);
      var svg = document.createElementNS(SVG, "svg");
      svg.setAttribute("width", "300");
      svg.setAttribute("height", "60");
      svg.setAttribute("viewBox", "0 0 300 60");
      svg.setAttribute("role", "img");
      svg.setAttribute("aria-label", c[1] + ", last 5 minutes");
      var line = document.createElementNS(SVG, "polyline");
      svg.appendChild(line);
      var caption = el("figcaption", c[1]);
      figure.appendChild(svg);
      figure.appendChild(caption);
      charts.appendChild(figure);
      chartParts[c[0]] = { line: line, caption: caption, label: c[1] };
    });
    root.appendChild(charts);

    root.appendChild(el("h3", "Busiest channels (last 5 minutes)"));
    var channelTable = table(["channel", "site", "messages", "backlog", "last id", "idle"]);
    channelTable.table.id = "mb-channels";
    root.appendChild(channelTable.table);

    root.appendChild(el("h3", "Backend"));
    var backendTable = table(["backend", "state", "healthy", "queued", "disconnects", "reconnects", "failure"]);
    backendTable.table.id = "mb-backend";
    root.appendChild(backendTable.table);

    root.appendChild(el("h3", "Errors"));
    var errorCounts = el("p", "");
    errorCounts.setAttribute("data-stat", "errors");
    root.appendChild(errorCounts);
    var errorTable = table(["time", "kind", "detail"]);
    errorTable.table.id = "mb-errors";
    root.appendChild(errorTable.table);

    function table(columns) {
      var t = el("table");
      var head = el("tr");
      columns.forEach(function (c) {
        head.appendChild(el("th", c));
      });
      var thead = el("thead");
      thead.appendChild(head);
      t.appendChild(thead);
      var tbody = el("tbody");
      t.appendChild(tbody);
      return { table: t, body: tbody };
    }

    function row(body, cells, attrs) {
      var tr = el("tr");
      Object.keys(attrs || {}).forEach(function (k) {
        tr.setAttribute(k, attrs[k]);
      });
      cells.forEach(function (c) {
        var td = el("td", c[1] === null || c[1] === undefined ? "\u2013" : c[1]);
        td.setAttribute("data-col", c[0]);
        tr.appendChild(td);
      });
      body.appendChild(tr);
    }

    function clear(node) {
      while (node.firstChild) node.removeChild(node.firstChild);
    }

    function draw(part, values) {
      var max = 0;
      values.forEach(function (v) {
        if (v > max) max = v;
      });
      var n = values.length;
      var points = values.map(function (v, i) {
        var x = n <= 1 ? 300 : (i * 300) / (n - 1);
        var y = max === 0 ? 58 : 58 - (v / max) * 56;
        return x.toFixed(1) + "," + y.toFixed(1);
      });
      part.line.setAttribute("points", points.join(" "));
      var last = n === 0 ? 0 : values[n - 1];
      part.caption.textContent = part.label + ": " + last + " (max " + max + ")";
    }

    function sum(object) {
      return Object.keys(object).reduce(function (a, k) {
        return a + object[k];
      }, 0);
    }

    function render(s) {
      where.textContent =
        s.process.hostname + " pid " + s.process.pid + ", up " + s.process.uptime + " secs";
      state.textContent = "Updated " + new Date(s.time).toLocaleTimeString();
      tileValues.held_polls.textContent = s.current.held_polls;
      tileValues.sse_streams.textContent = s.current.sse_streams;
      tileValues.websockets.textContent = s.current.websockets;
      tileValues.subscriptions.textContent = s.current.subscriptions;
      tileValues.publishes.textContent = sum(s.totals.publishes);
      tileValues.dispatched.textContent = s.totals.dispatched;
      tileValues.delivered.textContent = s.totals.delivered;
      Object.keys(chartParts).forEach(function (k) {
        draw(chartParts[k], s.series[k] || []);
      });

      clear(channelTable.body);
      s.channels.forEach(function (c) {
        row(
          channelTable.body,
          [
            ["channel", c.channel],
            ["site", c.site],
            ["messages", c.messages],
            ["backlog", c.backlog],
            ["last_id", c.last_id],
            ["idle", c.idle_seconds + " secs"],
          ],
          { "data-channel": c.channel }
        );
      });

      clear(backendTable.body);
      var b = s.backend;
      row(backendTable.body, [
        ["name", b.name],
        ["state", b.state],
        ["healthy", b.healthy ? "yes" : "no"],
        ["queued", b.queued],
        ["disconnects", b.disconnects],
        ["reconnects", b.reconnects],
        ["failure", b.failure],
      ]);

      var e = s.errors;
      errorCounts.textContent =
        "publish failed " + e.publish_failed +
        ", publish dropped " + e.publish_dropped +
        ", listener failures " + e.listener_failures +
        ", poll server errors " + e.poll_server_errors +
        ", poll client errors " + e.poll_client_errors +
        ", 429s " + e.poll_too_many +
        ", streams cut off " + e.streams_cut_off;
      clear(errorTable.body);
      e.recent
        .slice()
        .reverse()
        .forEach(function (r) {
          row(errorTable.body, [
            ["time", new Date(r.time).toLocaleTimeString()],
            ["kind", r.kind],
            ["detail", r.detail],
          ]);
        });
    }

    var failed = 0;
    function refresh() {
      fetch(path + "_diagnostics/stats.json", { credentials: "same-origin", cache: "no-store" })
        .then(function (response) {
          if (response.status === 404) return null; // the dashboard is off on this server
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (s) {
          if (s === null) {
            if (root.parentNode) root.parentNode.removeChild(root);
            return false;
          }
          failed = 0;
          render(s);
          root.setAttribute("data-updates", String(Number(root.getAttribute("data-updates") || 0) + 1));
        })
        .catch(function (e) {
          failed++;
          state.textContent = "Stats unavailable: " + e.message;
        })
        .then(function (more) {
          if (more === false) return;
          setTimeout(refresh, failed === 0 ? 2000 : Math.min(30000, 2000 * Math.pow(2, failed)));
        });
    }
    refresh();
    return root;
  }
})();
