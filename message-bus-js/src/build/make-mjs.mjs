// Writes src/main/js/message-bus.mjs (the ES module build) from src/main/js/message-bus.js.
// Run `node src/build/make-mjs.mjs` after editing message-bus.js; a unit test fails while the two differ.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL("../main/js/", import.meta.url));

/** Returns the text of message-bus.mjs for the given message-bus.js source. */
export function esmSource(classic) {
  const begin = classic.indexOf("// @core-begin");
  const end = classic.indexOf("// @core-end");
  if (begin < 0 || end < begin) throw new Error("message-bus.js lacks the @core-begin/@core-end markers");
  const banner = classic.slice(0, classic.indexOf("*/") + 2);
  const core = classic
    .slice(begin, end)
    .split("\n")
    .map((line) => (line.startsWith("  ") ? line.slice(2) : line))
    .join("\n");
  return `${banner}
// GENERATED from message-bus.js by src/build/make-mjs.mjs: do not edit by hand.
// The ES module build: \`import MessageBus from "./message-bus.mjs"\`. It defines no global.
${core}
const MessageBus = createMessageBus(globalThis);
/** Without a global to restore, noConflict() only returns the client. */
MessageBus.noConflict = function () {
  return MessageBus;
};

export default MessageBus;
export { MessageBus };
`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const classic = readFileSync(dir + "message-bus.js", "utf8");
  writeFileSync(dir + "message-bus.mjs", esmSource(classic));
  console.log("wrote " + dir + "message-bus.mjs");
}
