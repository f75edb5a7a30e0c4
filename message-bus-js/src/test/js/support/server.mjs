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

/** Starts E2eServer; resolves to {busUrl, control(path, body), close()}. */
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
    { stdio: ["ignore", "pipe", "inherit"] }
  );
  const ports = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("E2eServer did not start within 30 s")), 30000);
    child.once("exit", (code) => reject(new Error("E2eServer exited with " + code)));
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
    close() {
      child.kill("SIGTERM");
    },
  };
}
