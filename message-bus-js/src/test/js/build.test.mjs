// The shipped files agree with each other: the ES module is the generated twin of message-bus.js, and
// the typings compile against typical uses of both builds.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, rmSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { esmSource } from "../../build/make-mjs.mjs";

const jsDir = fileURLToPath(new URL("../../main/js/", import.meta.url));
const moduleDir = fileURLToPath(new URL("../../../", import.meta.url));

describe("build", () => {
  it("message-bus.mjs is up to date (run `node src/build/make-mjs.mjs` after editing message-bus.js)", () => {
    const classic = readFileSync(path.join(jsDir, "message-bus.js"), "utf8");
    assert.equal(readFileSync(path.join(jsDir, "message-bus.mjs"), "utf8"), esmSource(classic));
  });

  it("the ES module exports a working client and defines no global", async () => {
    const { default: MessageBus, MessageBus: named } = await import(path.join(jsDir, "message-bus.mjs"));
    assert.equal(MessageBus, named);
    assert.equal(MessageBus.status(), "stopped");
    assert.equal(MessageBus.noConflict(), MessageBus);
    assert.equal(globalThis.MessageBus, undefined);
  });

  it("message-bus.js is valid UTF-8 without a byte-order mark", () => {
    const bytes = readFileSync(path.join(jsDir, "message-bus.js"));
    assert.notEqual(bytes[0], 0xef);
    assert.equal(Buffer.from(bytes.toString("utf8"), "utf8").equals(bytes), true);
  });

  it("the typings compile for the global script and the ES module", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "message-bus-dts-"));
    try {
      for (const f of ["message-bus.d.ts", "message-bus.d.mts"]) copyFileSync(path.join(jsDir, f), path.join(dir, f));
      writeFileSync(path.join(dir, "message-bus.mjs"), "");
      writeFileSync(path.join(dir, "message-bus.js"), "");
      writeFileSync(
        path.join(dir, "use-module.mts"),
        `import MessageBus, { MessageBusCallback, MessageBusClient } from "./message-bus.mjs";
const cb: MessageBusCallback<{ text: string }> = (data, globalId, messageId) => console.log(data.text, globalId + messageId);
const client: MessageBusClient = MessageBus;
client.baseUrl = "/";
client.shareConnection = true;
client.subscribe("/chat", cb, -3);
const removed: boolean = client.unsubscribe("/chat*");
const s: "paused" | "started" | "stopped" = client.status();
console.log(removed, s, client.diagnostics().role);
`
      );
      writeFileSync(
        path.join(dir, "use-global.ts"),
        `/// <reference path="./message-bus.d.ts" />
MessageBus.callbackInterval = 10000;
MessageBus.subscribe("/x", (data: unknown) => console.log(data));
export {};
`
      );
      writeFileSync(
        path.join(dir, "bad.mts"),
        `import MessageBus from "./message-bus.mjs";
MessageBus.subscribe(42, () => {});
`
      );
      const tsc = path.join(moduleDir, "node_modules", "typescript", "bin", "tsc");
      const common = ["--noEmit", "--strict", "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2020", "--lib", "es2020,dom"];
      execFileSync(process.execPath, [tsc, ...common, path.join(dir, "use-module.mts"), path.join(dir, "use-global.ts")], {
        stdio: "pipe",
      });
      assert.throws(
        () => execFileSync(process.execPath, [tsc, ...common, path.join(dir, "bad.mts")], { stdio: "pipe" }),
        (e) => /TS2345/.test(String(e.stdout))
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
