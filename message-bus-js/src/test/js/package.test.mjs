// The npm package @messagebus-java/message-bus, assembled by the Maven build in target/npm (from
// src/main/npm and the client files), is ready to publish: `npm pack` ships exactly the client, its
// typings, README and license; its version is the Maven version; installed from the tarball (offline)
// its entry points resolve and work from Node, and its typings compile for each entry point.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const moduleDir = fileURLToPath(new URL("../../../", import.meta.url));
const packageDir = process.env.NPM_PACKAGE_DIR ?? path.join(moduleDir, "target", "npm");
const tsc = path.join(moduleDir, "node_modules", "typescript", "bin", "tsc");
const NAME = "@messagebus-java/message-bus";
const win = process.platform === "win32";

/** The Maven version: passed by the build, else read from this module's pom (its parent's version). */
function mavenVersion() {
  if (process.env.PROJECT_VERSION) return process.env.PROJECT_VERSION;
  const pom = readFileSync(path.join(moduleDir, "pom.xml"), "utf8");
  return /<parent>[\s\S]*?<version>([^<]+)<\/version>/.exec(pom)[1];
}

function npm(args, cwd) {
  return execFileSync(win ? "npm.cmd" : "npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], shell: win });
}

/** Runs an ES module script in a fresh Node process in dir; returns its standard output parsed as JSON. */
function runNode(dir, file, source) {
  writeFileSync(path.join(dir, file), source);
  return JSON.parse(execFileSync(process.execPath, [file], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }));
}

/** Runs tsc --noEmit --strict with the given options; fails with tsc's report. */
function typecheck(dir, options, files) {
  try {
    execFileSync(process.execPath, [tsc, "--noEmit", "--strict", "--target", "es2020", "--lib", "es2020,dom", ...options, ...files], {
      cwd: dir,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (e) {
    assert.fail(`tsc ${options.join(" ")} failed:\n${e.stdout}${e.stderr}`);
  }
}

describe("npm package", () => {
  before(() => {
    assert.ok(
      existsSync(path.join(packageDir, "package.json")),
      `${packageDir} is not assembled: run \`mvn -B -o -q -pl message-bus-js process-resources\` from the repository root (or the full build) first`
    );
  });

  it("npm pack --dry-run lists exactly the client, its typings, the README and the license", () => {
    const [report] = JSON.parse(npm(["pack", "--dry-run", "--json"], packageDir));

    assert.equal(report.name, NAME);
    assert.equal(report.version, mavenVersion());
    assert.deepEqual(report.files.map((f) => f.path).sort(), [
      "LICENSE",
      "README.md",
      "message-bus.d.cts",
      "message-bus.d.mts",
      "message-bus.d.ts",
      "message-bus.js",
      "message-bus.mjs",
      "package.json",
    ]);
    assert.deepEqual(report.bundled, []);
  });

  it("package.json: the Maven version, MIT, the repository, no dependencies or scripts, exports for import and require", () => {
    const pkg = JSON.parse(readFileSync(path.join(packageDir, "package.json"), "utf8"));

    assert.equal(pkg.version, mavenVersion());
    assert.match(pkg.version, /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, "a semver version");
    assert.equal(pkg.private, undefined);
    assert.equal(pkg.license, "MIT");
    assert.equal(readFileSync(path.join(packageDir, "LICENSE"), "utf8").split("\n")[0], "MIT License");
    assert.equal(pkg.repository.url, "git+https://github.com/messagebus-java/message-bus.git");
    assert.equal(pkg.repository.directory, "message-bus-js");
    assert.equal(pkg.dependencies, undefined);
    assert.equal(pkg.scripts, undefined);
    assert.equal(pkg.type, undefined, "message-bus.js must stay CommonJS/classic, not an ES module");
    assert.deepEqual(pkg.exports["."].import, { types: "./message-bus.d.mts", default: "./message-bus.mjs" });
    assert.deepEqual(pkg.exports["."].require, { types: "./message-bus.d.cts", default: "./message-bus.js" });
    assert.equal(pkg.exports["./package.json"], "./package.json");
    assert.equal(pkg.main, "./message-bus.js");
    assert.equal(pkg.types, "./message-bus.d.cts");
  });

  it("its client files are the module's own (the jar's assets)", () => {
    const assets = path.join(moduleDir, "target", "classes", "META-INF", "resources", "message-bus-assets");
    for (const f of ["message-bus.js", "message-bus.mjs", "message-bus.d.ts", "message-bus.d.mts"]) {
      assert.ok(readFileSync(path.join(packageDir, f)).equals(readFileSync(path.join(assets, f))), f);
    }
  });

  describe("installed from its tarball, offline", () => {
    let dir;
    before(() => {
      dir = mkdtempSync(path.join(tmpdir(), "message-bus-npm-"));
      const [packed] = JSON.parse(npm(["pack", "--json", "--pack-destination", dir], packageDir));
      writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true }));
      npm(["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", "./" + packed.filename], dir);
    });
    after(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("import resolves to the ES module: a client, the same as the named export, no global", () => {
      const r = runNode(
        dir,
        "import.mjs",
        `import MessageBus, { MessageBus as named } from "${NAME}";
console.log(JSON.stringify({
  resolved: import.meta.resolve("${NAME}"),
  same: MessageBus === named,
  status: MessageBus.status(),
  subscribe: typeof MessageBus.subscribe,
  global: typeof globalThis.MessageBus,
}));
`
      );
      assert.match(r.resolved, /\/node_modules\/@messagebus-java\/message-bus\/message-bus\.mjs$/);
      assert.deepEqual({ ...r, resolved: undefined }, { resolved: undefined, same: true, status: "stopped", subscribe: "function", global: "undefined" });
    });

    it("require resolves to message-bus.js: the client is module.exports, no global", () => {
      const r = runNode(
        dir,
        "require.mjs",
        `import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const MessageBus = require("${NAME}");
console.log(JSON.stringify({
  resolved: require.resolve("${NAME}"),
  status: MessageBus.status(),
  noConflict: MessageBus.noConflict() === MessageBus,
  global: typeof globalThis.MessageBus,
  version: require("${NAME}/package.json").version,
}));
`
      );
      assert.match(r.resolved, /\/node_modules\/@messagebus-java\/message-bus\/message-bus\.js$/);
      assert.deepEqual(
        { ...r, resolved: undefined },
        { resolved: undefined, status: "stopped", noConflict: true, global: "undefined", version: mavenVersion() }
      );
    });

    it("exports the two builds by file name and package.json, and nothing else", () => {
      const r = runNode(
        dir,
        "subpaths.mjs",
        `import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const resolve = (p) => {
  try {
    return require.resolve(p).split("/").pop();
  } catch (e) {
    return e.code;
  }
};
console.log(JSON.stringify(["message-bus.js", "message-bus.mjs", "package.json", "message-bus.d.ts", "README.md"].map((f) => resolve("${NAME}/" + f))));
`
      );
      assert.deepEqual(r, [
        "message-bus.js",
        "message-bus.mjs",
        "package.json",
        "ERR_PACKAGE_PATH_NOT_EXPORTED",
        "ERR_PACKAGE_PATH_NOT_EXPORTED",
      ]);
    });

    it("the typings compile for import, require and the global script, under Node and bundler resolution", () => {
      // Each file also misuses the client once under @ts-expect-error: typings that were missing or
      // `any` would leave the directive unused, which tsc reports as an error.
      writeFileSync(
        path.join(dir, "use-import.mts"),
        `import MessageBus, { MessageBus as named, type MessageBusCallback, type MessageBusClient, type MessageBusDiagnostics } from "${NAME}";
const cb: MessageBusCallback<{ text: string }> = (data, globalId, messageId) => console.log(data.text, globalId + messageId);
const client: MessageBusClient = named;
client.baseUrl = "/";
client.shareConnection = true;
MessageBus.subscribe("/chat", cb, -3);
const removed: boolean = MessageBus.unsubscribe("/chat*");
const status: "paused" | "started" | "stopped" = MessageBus.status();
const d: MessageBusDiagnostics = MessageBus.diagnostics();
console.log(removed, status, d.role);
// @ts-expect-error a channel is a string
MessageBus.subscribe(42, cb);
`
      );
      writeFileSync(
        path.join(dir, "use-require.cts"),
        `import MessageBus = require("${NAME}");
const cb: MessageBus.MessageBusCallback<{ text: string }> = (data) => console.log(data.text);
const client: MessageBus.MessageBusClient = MessageBus;
client.callbackInterval = 10000;
client.subscribe("/chat", cb);
// @ts-expect-error lastId is a number
MessageBus.subscribe("/chat", cb, "0");
export {};
`
      );
      writeFileSync(
        path.join(dir, "use-global.ts"),
        `/// <reference types="${NAME}/message-bus.js" />
MessageBus.callbackInterval = 10000;
MessageBus.subscribe("/x", (data: unknown) => console.log(data));
// @ts-expect-error settings are typed
MessageBus.baseUrl = 3;
`
      );
      writeFileSync(path.join(dir, "use-bundler.ts"), readFileSync(path.join(dir, "use-import.mts"), "utf8"));

      typecheck(dir, ["--module", "nodenext", "--moduleResolution", "nodenext"], ["use-import.mts", "use-require.cts", "use-global.ts"]);
      typecheck(dir, ["--module", "preserve", "--moduleResolution", "bundler"], ["use-bundler.ts"]);
    });
  });
});
