// The build's files: message-bus.mjs is generated from message-bus.js by src/build/java/MakeMjs.java
// (run by Maven in generate-resources); these tests check the generator's rules, that it refuses a
// source it cannot transform, and that the build's copies are current and work.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";

const moduleDir = fileURLToPath(new URL("../../../", import.meta.url));
const jsDir = path.join(moduleDir, "src", "main", "js");
const generator = path.join(moduleDir, "src", "build", "java", "MakeMjs.java");
const generatedDir = process.env.MJS_GENERATED_DIR ?? path.join(moduleDir, "target", "generated-resources", "message-bus-js");
const builtCopies = [
  path.join(generatedDir, "message-bus.mjs"),
  path.join(moduleDir, "target", "classes", "META-INF", "resources", "message-bus-assets", "message-bus.mjs"),
  path.join(process.env.NPM_PACKAGE_DIR ?? path.join(moduleDir, "target", "npm"), "message-bus.mjs"),
];
const REBUILD =
  "run `mvn -B -o -q -pl message-bus-js process-resources` from the repository root (or the full build) after editing message-bus.js";

const java = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, "bin", "java") : "java";

/** Runs the generator as the build does; returns {status, stderr}. */
function makeMjs(input, output) {
  const r = spawnSync(java, [generator, input, output], { encoding: "utf8" });
  if (r.error) throw r.error;
  return { status: r.status, stderr: r.stderr };
}

/** The code between the markers of message-bus.js, one indentation level removed (what the module carries). */
function coreOf(classic) {
  const begin = classic.indexOf("// @core-begin");
  const end = classic.indexOf("// @core-end");
  return classic
    .slice(begin, end)
    .split("\n")
    .map((line) => (line.startsWith("  ") ? line.slice(2) : line))
    .join("\n");
}

describe("MakeMjs (the ES module generator)", () => {
  let dir;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "message-bus-mjs-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps the license comment and the core (dedented), drops the script wrapper and exports the client", async () => {
    const input = path.join(dir, "fixture.js");
    const output = path.join(dir, "out", "fixture.mjs");
    writeFileSync(
      input,
      `/*!
 * fixture — MIT
 */
(function (root) {
  "use strict";
  var outside = 1;

  // @core-begin
  function createMessageBus(env) {
    var bus = { env: env, status: function () { return "stopped"; } };
    return bus;
  }
  // @core-end

  root.MessageBus = createMessageBus(root);
})(globalThis);
`
    );

    const r = makeMjs(input, output);

    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      readFileSync(output, "utf8"),
      `/*!
 * fixture — MIT
 */
// GENERATED from message-bus.js by src/build/java/MakeMjs.java during the build: do not edit.
// The ES module build: \`import MessageBus from "./message-bus.mjs"\`. It defines no global.
// @core-begin
function createMessageBus(env) {
  var bus = { env: env, status: function () { return "stopped"; } };
  return bus;
}

const MessageBus = createMessageBus(globalThis);
/** Without a global to restore, noConflict() only returns the client. */
MessageBus.noConflict = function () {
  return MessageBus;
};

export default MessageBus;
export { MessageBus };
`
    );
    const mod = await import(pathToFileURL(output).href);
    assert.equal(mod.default, mod.MessageBus);
    assert.equal(mod.default.env, globalThis);
    assert.equal(mod.default.noConflict(), mod.default);
  });

  it("refuses a source without the core markers, says why and writes nothing", () => {
    const input = path.join(dir, "no-markers.js");
    const output = path.join(dir, "no-markers.mjs");
    writeFileSync(input, "/*! x */\n(function (root) {\n  root.MessageBus = {};\n})(globalThis);\n");

    const r = makeMjs(input, output);

    assert.equal(r.status, 1);
    assert.match(r.stderr, /lacks the \/\/ @core-begin \/ \/\/ @core-end markers/);
    assert.equal(existsSync(output), false);
  });

  it("refuses a source without the leading license comment", () => {
    const input = path.join(dir, "no-banner.js");
    const output = path.join(dir, "no-banner.mjs");
    writeFileSync(input, "// @core-begin\nfunction createMessageBus() {}\n// @core-end\n");

    const r = makeMjs(input, output);

    assert.equal(r.status, 1);
    assert.match(r.stderr, /must start with its license comment/);
    assert.equal(existsSync(output), false);
  });
});

describe("the build's message-bus.mjs", () => {
  it(`carries the current core of message-bus.js, the same bytes in the jar and the npm package (else ${REBUILD})`, () => {
    const core = coreOf(readFileSync(path.join(jsDir, "message-bus.js"), "utf8"));
    const [generated, ...copies] = builtCopies.map((f) => {
      assert.ok(existsSync(f), `${f} is missing: ${REBUILD}`);
      return readFileSync(f);
    });
    assert.ok(generated.toString("utf8").includes(core), `message-bus.mjs is stale: ${REBUILD}`);
    for (const copy of copies) assert.ok(copy.equals(generated), `a copy of message-bus.mjs is stale: ${REBUILD}`);
  });

  it("exports a working client and defines no global", async () => {
    const { default: MessageBus, MessageBus: named } = await import(pathToFileURL(builtCopies[0]).href);
    assert.equal(MessageBus, named);
    assert.equal(MessageBus.status(), "stopped");
    assert.equal(MessageBus.noConflict(), MessageBus);
    assert.equal(globalThis.MessageBus, undefined);
  });
});

describe("message-bus.js", () => {
  it("is valid UTF-8 without a byte-order mark", () => {
    const bytes = readFileSync(path.join(jsDir, "message-bus.js"));
    assert.notEqual(bytes[0], 0xef);
    assert.equal(Buffer.from(bytes.toString("utf8"), "utf8").equals(bytes), true);
  });
});
