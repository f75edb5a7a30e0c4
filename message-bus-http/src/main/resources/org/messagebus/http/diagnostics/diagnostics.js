// MessageBus for Java — the diagnostics page (SPEC §6.3). Dependency-free: it long-polls the bus
// with fetch for /_diagnostics/process-discovery and lists the processes that answer.
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
  var table = el("table");
  var head = el("tr");
  ["pid", "full_path", "hostname", "uptime", ""].forEach(function (name) {
    head.appendChild(el("th", name));
  });
  table.appendChild(head);
  var body = el("tbody");
  table.appendChild(body);
  app.appendChild(heading);
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
})();
