// The fixture every Chromium suite shares: one real Java server (E2eServer) and one headless
// Chromium for the whole file, a fresh browser context per test, and a bounded re-check of an
// observable condition.
import { after, before } from "node:test";
import { launch } from "./browser.mjs";
import { startServer } from "./server.mjs";

// Fast client timings so that backoffs and polling intervals stay short. firstChunkTimeout is raised
// so a busy machine is never taken for a buffering proxy.
export const FAST = {
  callbackInterval: 500,
  maxPollInterval: 2000,
  minPollInterval: 50,
  backgroundCallbackInterval: 300,
  firstChunkTimeout: 10000,
};

/**
 * Registers the file's before/after hooks and returns the suite: `suite.server` and
 * `suite.browser` once started, and `suite.withContext([contextOptions,] fn)`, which runs `fn` in a
 * fresh browser context and closes it afterwards. Whatever fails (the
 * server, the browser, a test), both are stopped: a server or browser left running would keep this
 * file's process, and with it `node --test` and the build, waiting forever.
 *
 * @param skip the reason the suites are skipped (browserSkip()), or false
 * @param serverOptions passed to startServer, e.g. { longPollingMs: 1500 }
 */
export function chromiumSuite(skip, serverOptions) {
  const suite = {
    server: undefined,
    browser: undefined,
    async withContext(...args) {
      const [contextOptions, fn] = args.length === 1 ? [undefined, args[0]] : args;
      const context = await suite.browser.newContext(contextOptions);
      try {
        return await fn(context);
      } finally {
        await context.close();
      }
    },
  };

  async function stopAll() {
    const [b, s] = [suite.browser, suite.server];
    suite.browser = suite.server = undefined;
    try {
      if (b) await b.close();
    } finally {
      if (s) await s.close();
    }
  }

  before(async () => {
    if (skip) return;
    const [s, b] = await Promise.allSettled([startServer(serverOptions), launch()]);
    if (s.status === "fulfilled") suite.server = s.value;
    if (b.status === "fulfilled") suite.browser = b.value;
    if (s.status === "rejected" || b.status === "rejected") {
      await stopAll();
      throw s.status === "rejected" ? s.reason : b.reason;
    }
  });
  after(stopAll);
  return suite;
}

/** Re-checks an observable condition (no fixed sleep decides anything) until it holds or the time is up. */
export async function until(condition, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error("condition not met within " + timeoutMs + " ms: " + condition);
    await new Promise((r) => setTimeout(r, 50));
  }
}
