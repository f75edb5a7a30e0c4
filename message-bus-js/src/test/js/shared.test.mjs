// shareConnection in a fake browser with several tabs (support/harness.mjs browserWorld): one
// leader polls for every tab, the others get its batches, and the next tab takes over on close.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { browserWorld, load, msg, status } from "./support/harness.mjs";

const plain = (value) => JSON.parse(JSON.stringify(value));

function tab(world, options = {}) {
  const t = load({ world, ...options });
  t.bus.shareConnection = true;
  t.bus.enableChunkedEncoding = false;
  t.got = [];
  t.sub = (channel, lastId) => t.bus.subscribe(channel, (data) => t.got.push(data), lastId);
  return t;
}

describe("shareConnection", () => {
  it("one tab polls for all; the others receive its batches and share its client id", async () => {
    const world = browserWorld();
    const a = tab(world);
    a.sub("/chat", 0);
    await world.tick(10);
    const b = tab(world);
    b.sub("/chat", 0);
    b.sub("/news", 0);
    await world.tick(200); // the leader aborts its poll and polls again with /news

    assert.equal(a.bus.diagnostics().role, "leader");
    assert.equal(b.bus.diagnostics().role, "follower");
    assert.equal(b.requests.length, 0);
    assert.equal(a.bus.clientId, b.bus.clientId);
    const r = a.last();
    assert.deepEqual(Object.keys(r.fields).sort(), ["/chat", "/news", "__seq"]);
    r.respond(200, [msg("/chat", 1, "hi"), msg("/news", 2, "extra")]);
    await world.tick(10);

    assert.deepEqual(plain(a.got), ["hi"]);
    assert.deepEqual(plain(b.got), ["hi", "extra"]);
  });

  it("a paused leader still re-polls at once after data: the other tabs process it", async () => {
    const world = browserWorld();
    const a = tab(world);
    a.sub("/chat", 0);
    await world.tick(10);
    const b = tab(world);
    b.sub("/chat", 0);
    await world.tick(200);
    a.bus.pause();
    const polls = a.requests.length;
    a.last().respond(200, [msg("/chat", 1, "hi")]);
    await world.tick(100); // minPollInterval, not callbackInterval

    assert.equal(a.requests.length, polls + 1);
    assert.deepEqual(plain(b.got), ["hi"]);
    assert.deepEqual(plain(a.got), []);
    a.bus.resume();
    assert.deepEqual(plain(a.got), ["hi"]);
  });

  it("a -1 subscription in a follower starts at the leader's position and misses nothing", async () => {
    const world = browserWorld();
    const a = tab(world);
    a.sub("/chat", 0);
    await world.tick(10);
    a.last().respond(200, [msg("/chat", 5, "old")]);
    await world.tick(200);
    const b = tab(world);
    b.sub("/chat"); // -1: new messages only
    await world.tick(10);
    assert.equal(b.bus.callbacks[0].last_id, 5);
    a.last().respond(200, [msg("/chat", 6, "new")]);
    await world.tick(10);

    assert.deepEqual(plain(b.got), ["new"]);
  });

  it("when the leader's tab closes, a follower takes over from its own positions", async () => {
    const world = browserWorld();
    const a = tab(world);
    a.sub("/chat", 0);
    await world.tick(10);
    const b = tab(world);
    b.sub("/chat", 0);
    await world.tick(10);
    a.last().respond(200, [msg("/chat", 1, "one")]);
    await world.tick(10);

    a.fire("pagehide");
    await world.tick(10);

    assert.equal(b.bus.diagnostics().role, "leader");
    assert.equal(b.requests.length, 1);
    assert.equal(b.last().fields["/chat"], "1");
    assert.ok(Number(b.last().fields.__seq) > Number(a.requests[a.requests.length - 1].fields.__seq));
    b.last().respond(200, [msg("/chat", 2, "two")]);
    assert.deepEqual(plain(b.got), ["one", "two"]);
  });

  it("a stopped follower's channels are dropped from the leader's polls", async () => {
    const world = browserWorld();
    const a = tab(world);
    a.sub("/chat", 0);
    await world.tick(10);
    const b = tab(world);
    b.sub("/news", 0);
    await world.tick(200);
    assert.ok("/news" in a.last().fields);

    b.bus.stop();
    await world.tick(200);
    assert.deepEqual(Object.keys(a.last().fields).sort(), ["/chat", "__seq"]);
  });

  it("a hidden leader keeps long polling while a follower tab is visible", async () => {
    const world = browserWorld();
    const a = tab(world, { hidden: true });
    a.sub("/chat", 0);
    await world.tick(10);
    assert.match(a.last().url, /dlp=t/, "alone and hidden: polling");
    const b = tab(world, { hidden: false });
    b.sub("/chat", 0);
    await world.tick(10);
    a.last().respond(200, []);
    await world.tick(60000);

    assert.doesNotMatch(a.last().url, /dlp=t/);
    b.setHidden(true);
    await world.tick(10);
    a.last().respond(200, []);
    await world.tick(60000);
    assert.match(a.last().url, /dlp=t/);
  });
});
