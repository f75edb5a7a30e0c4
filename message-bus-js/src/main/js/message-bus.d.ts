/**
 * Typings of message-bus.js (the global `MessageBus`) and message-bus.mjs (its default export).
 * MessageBus for Java — MIT License.
 */

/** A message callback: the payload, its global id and its id within the channel. */
export type MessageBusCallback<T = any> = (data: T, globalId: number, messageId: number) => void;

/** What a loss listener is told about one channel: the ids from..to (inclusive) are gone. */
export interface MessageBusLoss {
  from: number;
  to: number;
  /** True when the channel's ids restarted: from..to is what its new numbering lost (to < from: none). */
  reset: boolean;
}

/** A loss listener (see {@link MessageBusClient.onLoss}). */
export type MessageBusLossListener = (channel: string, loss: MessageBusLoss) => void;

/** A transport of {@link MessageBusClient.transports} (any other name is skipped). */
export type MessageBusTransport = "websocket" | "sse" | "long-poll" | (string & {});

/** One subscription as kept in {@link MessageBusClient.callbacks}. */
export interface MessageBusSubscription {
  channel: string;
  func: MessageBusCallback;
  /** The last message id this callback received; -1 = new only, <= -2 = look-behind not yet served. */
  last_id: number;
}

/** Options handed to a {@link MessageBusClient.ajax} transport (a subset of jQuery.ajax's). */
export interface MessageBusAjaxOptions {
  url: string;
  type: "POST";
  method: "POST";
  /** Channel positions and `__seq`, to send form-encoded. */
  data: Record<string, number>;
  headers: Record<string, string>;
  /** "text" for a streaming request, "json" otherwise. */
  dataType: "text" | "json";
  cache: false;
  async: true;
  /** Creates the XMLHttpRequest to use (it carries the progress listener of a streaming request). */
  xhr: () => XMLHttpRequest;
  success: (body: unknown, textStatus: string, xhr: XMLHttpRequest) => void;
  error: (xhr: XMLHttpRequest, textStatus: string, error?: unknown) => void;
  complete: (xhr: XMLHttpRequest, textStatus: string) => void;
}

/** What {@link MessageBusClient.diagnostics} returns (and logs). */
export interface MessageBusDiagnostics {
  status: "paused" | "started" | "stopped";
  clientId: string;
  /** "alone" without shareConnection; "leader" (holds the connection) or "follower" with it. */
  role: "alone" | "leader" | "follower";
  callbacks: Array<{ channel: string; last_id: number }>;
  /** Request position per channel (null in a follower tab). */
  positions: Record<string, number> | null;
  totalAjaxCalls: number;
  failCount: number;
  totalAjaxFailures: number;
  msSinceLastAjax: number | null;
  queuedWhilePaused: number;
}

/** The client. Settings are plain properties; change them before start() (or the first subscribe). */
export interface MessageBusClient {
  /** Allow long polling; when false every poll is answered at once (`?dlp=t`). Default true. */
  enableLongPolling: boolean;
  /** Allow streaming replies while long polling. Default true. */
  enableChunkedEncoding: boolean;
  /**
   * Spacing (ms) between the starts of polls that brought no data while the tab is visible, whether
   * long polling or not (enableLongPolling = false); unit of the error backoff. Default 15000.
   */
  callbackInterval: number;
  /** Spacing (ms) between the starts of polls while the tab is hidden (unless alwaysLongPoll). Default 60000. */
  backgroundCallbackInterval: number;
  /** Delay (ms) after data (non-streaming, tab visible) or an abort. Default 100. */
  minPollInterval: number;
  /** Cap (ms) of the error backoff. Default 180000. */
  maxPollInterval: number;
  /** Minimum spacing (ms) of polls from hidden tabs, shared through localStorage. Default 1500. */
  minHiddenPollInterval: number;
  /** Shortest wait (ms) after a 429; a longer Retry-After wins. Default 15000. */
  minRetryAfter: number;
  /**
   * Every wait after a failed poll or a 429 is lengthened by a random fraction of itself up to this,
   * so that clients that failed together come back spread out; 0 gives the stock client's exact
   * delays. Never shortens a wait. Default 0.5.
   */
  backoffJitter: number;
  /** Long-poll even in a hidden tab. Default false. */
  alwaysLongPoll: boolean;
  /** Decides whether to long-poll instead of the visibility check. Default undefined. */
  shouldLongPollCallback: (() => boolean) | undefined;
  /** Abort a streaming request whose first piece is this late (ms). Default 3000. */
  firstChunkTimeout: number;
  /** Requests made without streaming after such an abort. Default 30. */
  retryChunkedAfterRequests: number;
  /** Prefix before `message-bus/`, ending with "/" (added if missing). Default "/". */
  baseUrl: string;
  /** Extra request headers. Default {}. */
  headers: Record<string, string>;
  /** The transport; jQuery.ajax fits. Default: the built-in XMLHttpRequest transport. */
  ajax: (options: MessageBusAjaxOptions) => { abort(): void };
  /** The id in the poll URL. Default: 32 random hex characters (shared by all tabs with shareConnection). */
  clientId: string;
  /** Share one connection among the tabs of this origin and baseUrl. Default false. */
  shareConnection: boolean;
  /**
   * Transports in order of preference: "websocket" and "sse" (Server-Sent Events), servers of this
   * project with that endpoint on, and "long-poll". One that fails to open (a refused upgrade, a
   * WebSocket closed with 4400, 1003 or 1009) is left for the next for the page's life; long
   * polling is always the last resort. "websocket" and "sse" are skipped while `headers` is set
   * (the browser cannot send headers with them) and while the tab does not long-poll. Unknown names
   * are skipped. Default ["long-poll"].
   */
  transports: MessageBusTransport[];
  /** The transport in use. Read-only. */
  readonly activeTransport: "websocket" | "sse" | "long-poll";
  /** The subscriptions. */
  readonly callbacks: MessageBusSubscription[];

  /** Starts polling (a no-op when started). Throws if a setting is invalid. */
  start(): void;
  /** Stops polling and aborts the request in flight; start() resumes from the last ids. */
  stop(): void;
  /** Queues received messages instead of calling back. */
  pause(): void;
  /** Calls back with what was queued while paused, in order. */
  resume(): void;
  /** "paused", "started" or "stopped" (also before the first start). */
  status(): "paused" | "started" | "stopped";
  /**
   * Subscribes; starts the client unless it was stopped. lastId: -1 (default) new messages only;
   * N >= 0 every message after N (0 = the whole backlog); -2 the last message and new ones; -N the
   * last N-1 and new ones.
   * @returns func
   * @throws TypeError for a non-string channel, a non-function func or a non-integer lastId
   */
  subscribe<T = any>(channel: string, func: MessageBusCallback<T>, lastId?: number | null): MessageBusCallback<T>;
  /**
   * Removes func (or every callback) from channel; a trailing "*" matches every channel with that prefix.
   * @returns whether anything was removed
   */
  unsubscribe(channel: string, func?: MessageBusCallback): boolean;
  /**
   * Registers a loss listener: called when the server reports that messages of a subscribed channel
   * are gone (trimmed before this client read them, or the channel's ids restarted). While one is
   * registered, requests ask for the signal (servers of this project; others ignore it).
   * @returns a function that removes the listener
   * @throws TypeError for a non-function
   */
  onLoss(fn: MessageBusLossListener): () => void;
  /** Logs and returns the client's state. */
  diagnostics(): MessageBusDiagnostics;
  /** Restores the previous global `MessageBus` and returns this client. */
  noConflict(): MessageBusClient;
  /** Re-runs the visibility check (polls at once when the tab became visible). */
  onVisibilityChange(): void;
}

declare const MessageBus: MessageBusClient;
export default MessageBus;
export { MessageBus };

declare global {
  /** The client defined by message-bus.js loaded as a classic script. */
  var MessageBus: MessageBusClient;
}
