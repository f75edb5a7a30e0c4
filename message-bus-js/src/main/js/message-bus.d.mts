// Typings of message-bus.mjs (the ES module build); the declarations live in message-bus.d.ts.
export * from "./message-bus.js";
export { default } from "./message-bus.js";
