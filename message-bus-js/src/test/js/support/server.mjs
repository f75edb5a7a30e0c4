// Starts the real Java server of the end-to-end tests (org.messagebus.js.E2eServer, see its Javadoc)
// as a child process, and drives its control port.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const moduleDir = fileURLToPath(new URL("../../../../", import.meta.url));

function classPath() {
  const target = path.join(moduleDir, "target");
  const cpFile = process.env.E2E_CLASSPATH_FILE ?? path.join(target, "e2e-classpath.txt");
  const testClasses = process.env.E2E_TEST_CLASSES ?? path.join(target, "test-classes");
  const mainClasses = process.env.E2E_MAIN_CLASSES ?? path.join(target, "classes");
  if (!existsSync(cpFile) || !existsSync(path.join(testClasses, "org/messagebus/js/E2eServer.class"))) {
    throw new Error(
      "the e2e server is not built: run `mvn -B -pl message-bus-js -am verify` (or test-compile and " +
        "dependency:build-classpath) from the repository root first"
    );
  }
  return [testClasses, mainClasses, readFileSync(cpFile, "utf8").trim()].join(path.delimiter);
}

/** Every server started and not yet closed: killed when this process exits, however the tests end. */
const running = new Set();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/**
 * Starts E2eServer; resolves to {busUrl, control(path, body), publish(...), close()}. If it does not
 * start, the child is killed before the promise rejects. The child also exits by itself when its
 * standard input closes, i.e. when this process is gone (even after a kill -9), so a failed or
 * interrupted run never leaves a server behind that keeps `node --test` (and the build) waiting.
 */
export async function startServer({ longPollingMs = 4000 } = {}) {
  const java = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, "bin", "java") : "java";
  const child = spawn(
    java,
    [
      "-cp",
      classPath(),
      "-Xss512k",
      "-XX:TieredStopAtLevel=1",
      "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
      "org.messagebus.js.E2eServer",
      path.join(moduleDir, "node_modules"),
      String(longPollingMs),
    ],
    { stdio: ["pipe", "pipe", "inherit"] }
  );
  running.add(child);
  const exited = new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  }).then(() => running.delete(child));

  /** Stops the server: SIGTERM, then SIGKILL if it has not exited 10 s later. Resolves once it has. */
  async function stop() {
    if (running.has(child)) {
      child.kill("SIGTERM");
      const kill = setTimeout(() => child.kill("SIGKILL"), 10000);
      try {
        await exited;
      } finally {
        clearTimeout(kill);
      }
    }
    child.stdin.destroy();
    child.stdout.destroy();
  }

  let ports;
  try {
    ports = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("E2eServer did not start within 30 s")), 30000);
      child.once("error", (e) => {
        clearTimeout(timer);
        reject(new Error("cannot run " + java + ": " + e.message));
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error("E2eServer exited with " + (signal ?? code) + " before it was ready"));
      });
      createInterface({ input: child.stdout }).on("line", (line) => {
        const m = /^E2E (\{.*\})$/.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve(JSON.parse(m[1]));
        } else {
          process.stderr.write("[e2e-server] " + line + "\n");
        }
      });
    });
  } catch (e) {
    await stop();
    throw e;
  }
  const controlUrl = `http://127.0.0.1:${ports.control}`;
  return {
    busUrl: `http://127.0.0.1:${ports.bus}`,
    async control(route, body) {
      const r = await fetch(controlUrl + route, {
        method: body === undefined ? "GET" : "POST",
        headers: { "Content-Type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = await r.json();
      if (r.status !== 200) throw new Error(`control ${route}: ${r.status} ${JSON.stringify(json)}`);
      return json;
    },
    async publish(channel, data, targets = {}) {
      return (await this.control("/publish", { channel, data, ...targets })).id;
    },
    close: stop,
  };
}
