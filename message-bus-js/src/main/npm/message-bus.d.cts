// Typings of message-bus.js loaded with require() (CommonJS): module.exports is the client.
// The interfaces live in message-bus.d.ts; they are also reachable as MessageBus.<Name>.
import type * as Types from "./message-bus.js";

declare const MessageBus: Types.MessageBusClient;

declare namespace MessageBus {
  export type MessageBusCallback<T = any> = Types.MessageBusCallback<T>;
  export type MessageBusSubscription = Types.MessageBusSubscription;
  export type MessageBusAjaxOptions = Types.MessageBusAjaxOptions;
  export type MessageBusDiagnostics = Types.MessageBusDiagnostics;
  export type MessageBusClient = Types.MessageBusClient;
  export type MessageBusLoss = Types.MessageBusLoss;
  export type MessageBusLossListener = Types.MessageBusLossListener;
}

export = MessageBus;
