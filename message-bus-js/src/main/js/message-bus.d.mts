// Typings of message-bus.mjs (the ES module build); the interfaces live in message-bus.d.ts.
import type { MessageBusClient } from "./message-bus.js";
export type * from "./message-bus.js";

declare const MessageBus: MessageBusClient;
export default MessageBus;
export { MessageBus };
