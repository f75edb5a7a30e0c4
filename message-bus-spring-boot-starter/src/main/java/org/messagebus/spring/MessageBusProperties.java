package org.messagebus.spring;

import java.time.Duration;
import org.messagebus.MessageBus;
import org.messagebus.memory.MemoryBackend;
import org.messagebus.spi.Retention;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * The {@code message-bus.*} configuration properties. Each default equals the default of the
 * builder option it maps to; a value that builder rejects fails the start-up with a message naming
 * the property.
 */
@ConfigurationProperties("message-bus")
public class MessageBusProperties {

  /** The backend name that selects the in-process memory backend. */
  public static final String MEMORY_BACKEND = "memory";

  /** Whether to auto-configure the bus, the cache manager and the HTTP endpoint at all. */
  private boolean enabled = true;

  /**
   * Which backend to create when the application defines no Backend bean: "memory" (built in),
   * "redis" (with message-bus-redis) or "postgres" (with message-bus-postgres).
   */
  private String backend = MEMORY_BACKEND;

  /**
   * How often the bus publishes a keepalive and checks that messages still arrive; 0 disables the
   * keepalive.
   */
  private Duration keepaliveInterval = Duration.ofSeconds(60);

  /** Retention of every backend. */
  private final RetentionProperties retention = new RetentionProperties();

  /** Options of the memory backend. */
  private final Memory memory = new Memory();

  /** Options of the Redis backend (message-bus.backend=redis, with message-bus-redis). */
  private final Redis redis = new Redis();

  /**
   * Options of the PostgreSQL backend (message-bus.backend=postgres, with message-bus-postgres).
   */
  private final Postgres postgres = new Postgres();

  /** The distributed cache manager. */
  private final Cache cache = new Cache();

  /** The HTTP endpoint (servlet web applications with message-bus-servlet). */
  private final Http http = new Http();

  /**
   * Returns whether auto-configuration is enabled.
   *
   * @return {@code message-bus.enabled}
   */
  public boolean isEnabled() {
    return enabled;
  }

  /**
   * Sets whether auto-configuration is enabled. Default true.
   *
   * @param enabled {@code message-bus.enabled}
   */
  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  /**
   * Returns the backend name.
   *
   * @return {@code message-bus.backend}
   */
  public String getBackend() {
    return backend;
  }

  /**
   * Sets the backend name. Default {@value #MEMORY_BACKEND}.
   *
   * @param backend {@code message-bus.backend}
   */
  public void setBackend(String backend) {
    this.backend = backend;
  }

  /**
   * Returns the keepalive interval.
   *
   * @return {@code message-bus.keepalive-interval}
   */
  public Duration getKeepaliveInterval() {
    return keepaliveInterval;
  }

  /**
   * Sets the keepalive interval. Default {@link MessageBus#DEFAULT_KEEPALIVE_INTERVAL} (60 s); 0
   * disables it.
   *
   * @param keepaliveInterval {@code message-bus.keepalive-interval}
   */
  public void setKeepaliveInterval(Duration keepaliveInterval) {
    this.keepaliveInterval = keepaliveInterval;
  }

  /**
   * Returns the retention properties.
   *
   * @return {@code message-bus.retention.*}
   */
  public RetentionProperties getRetention() {
    return retention;
  }

  /**
   * Returns the memory backend properties.
   *
   * @return {@code message-bus.memory.*}
   */
  public Memory getMemory() {
    return memory;
  }

  /**
   * Returns the Redis backend properties.
   *
   * @return {@code message-bus.redis.*}
   */
  public Redis getRedis() {
    return redis;
  }

  /**
   * Returns the PostgreSQL backend properties.
   *
   * @return {@code message-bus.postgres.*}
   */
  public Postgres getPostgres() {
    return postgres;
  }

  /**
   * Returns the cache manager properties.
   *
   * @return {@code message-bus.cache.*}
   */
  public Cache getCache() {
    return cache;
  }

  /**
   * Returns the HTTP endpoint properties.
   *
   * @return {@code message-bus.http.*}
   */
  public Http getHttp() {
    return http;
  }

  /**
   * Builds the {@link Retention} these properties describe.
   *
   * @return the retention
   * @throws IllegalArgumentException naming the property whose value is rejected
   */
  public Retention toRetention() {
    Retention.Builder b = Retention.builder();
    RetentionProperties r = retention;
    Settings.apply(
        "message-bus.retention.max-backlog-size",
        r.maxBacklogSize,
        () -> b.maxBacklogSize(r.maxBacklogSize));
    Settings.apply(
        "message-bus.retention.max-global-backlog-size",
        r.maxGlobalBacklogSize,
        () -> b.maxGlobalBacklogSize(r.maxGlobalBacklogSize));
    Settings.apply(
        "message-bus.retention.max-backlog-age",
        r.maxBacklogAge,
        () -> b.maxBacklogAge(r.maxBacklogAge));
    Settings.apply(
        "message-bus.retention.clear-every", r.clearEvery, () -> b.clearEvery(r.clearEvery));
    return b.build();
  }

  /** {@code message-bus.retention.*}: what every backend keeps (see {@link Retention}). */
  public static class RetentionProperties {

    /** Newest messages kept per channel. */
    private int maxBacklogSize = 1000;

    /** Newest messages kept in the global backlog. */
    private int maxGlobalBacklogSize = 2000;

    /** A channel without a publish for this long is deleted (backlog and id counter). */
    private Duration maxBacklogAge = Duration.ofDays(7);

    /** Trimming runs only when the new id is a multiple of this. */
    private int clearEvery = 1;

    /**
     * Returns the per-channel backlog size.
     *
     * @return {@code message-bus.retention.max-backlog-size}
     */
    public int getMaxBacklogSize() {
      return maxBacklogSize;
    }

    /**
     * Sets the per-channel backlog size. Default 1,000; at least 1.
     *
     * @param maxBacklogSize {@code message-bus.retention.max-backlog-size}
     */
    public void setMaxBacklogSize(int maxBacklogSize) {
      this.maxBacklogSize = maxBacklogSize;
    }

    /**
     * Returns the global backlog size.
     *
     * @return {@code message-bus.retention.max-global-backlog-size}
     */
    public int getMaxGlobalBacklogSize() {
      return maxGlobalBacklogSize;
    }

    /**
     * Sets the global backlog size. Default 2,000; at least 1.
     *
     * @param maxGlobalBacklogSize {@code message-bus.retention.max-global-backlog-size}
     */
    public void setMaxGlobalBacklogSize(int maxGlobalBacklogSize) {
      this.maxGlobalBacklogSize = maxGlobalBacklogSize;
    }

    /**
     * Returns the backlog age limit.
     *
     * @return {@code message-bus.retention.max-backlog-age}
     */
    public Duration getMaxBacklogAge() {
      return maxBacklogAge;
    }

    /**
     * Sets the backlog age limit. Default 7 days; positive.
     *
     * @param maxBacklogAge {@code message-bus.retention.max-backlog-age}
     */
    public void setMaxBacklogAge(Duration maxBacklogAge) {
      this.maxBacklogAge = maxBacklogAge;
    }

    /**
     * Returns how often trimming runs.
     *
     * @return {@code message-bus.retention.clear-every}
     */
    public int getClearEvery() {
      return clearEvery;
    }

    /**
     * Sets how often trimming runs. Default 1 (every publish); at least 1.
     *
     * @param clearEvery {@code message-bus.retention.clear-every}
     */
    public void setClearEvery(int clearEvery) {
      this.clearEvery = clearEvery;
    }
  }

  /** {@code message-bus.memory.*}: the memory backend (see {@link MemoryBackend.Builder}). */
  public static class Memory {

    /** How often the memory backend deletes expired channels. */
    private Duration expiryInterval = Duration.ofSeconds(1);

    /**
     * Returns the expiry interval.
     *
     * @return {@code message-bus.memory.expiry-interval}
     */
    public Duration getExpiryInterval() {
      return expiryInterval;
    }

    /**
     * Sets the expiry interval. Default {@link MemoryBackend#DEFAULT_EXPIRY_INTERVAL} (1 s).
     *
     * @param expiryInterval {@code message-bus.memory.expiry-interval}
     */
    public void setExpiryInterval(Duration expiryInterval) {
      this.expiryInterval = expiryInterval;
    }
  }

  /** {@code message-bus.redis.*}: the Redis backend ({@code message-bus-redis}). */
  public static class Redis {

    /** The Redis URI: redis://, rediss:// (TLS) or redis-sentinel://. */
    private String url = "redis://127.0.0.1:6379/0";

    /** How many publishes wait in memory while Redis is down or read-only, at most. */
    private int maxInMemoryPublishBacklog = 1000;

    /** How long a Redis command may take. */
    private Duration commandTimeout = Duration.ofSeconds(5);

    /**
     * Returns the Redis URI.
     *
     * @return {@code message-bus.redis.url}
     */
    public String getUrl() {
      return url;
    }

    /**
     * Sets the Redis URI. Default {@code redis://127.0.0.1:6379/0}.
     *
     * @param url {@code message-bus.redis.url}
     */
    public void setUrl(String url) {
      this.url = url;
    }

    /**
     * Returns the in-memory publish queue bound.
     *
     * @return {@code message-bus.redis.max-in-memory-publish-backlog}
     */
    public int getMaxInMemoryPublishBacklog() {
      return maxInMemoryPublishBacklog;
    }

    /**
     * Sets the in-memory publish queue bound. Default 1,000.
     *
     * @param max {@code message-bus.redis.max-in-memory-publish-backlog}
     */
    public void setMaxInMemoryPublishBacklog(int max) {
      this.maxInMemoryPublishBacklog = max;
    }

    /**
     * Returns the command timeout.
     *
     * @return {@code message-bus.redis.command-timeout}
     */
    public Duration getCommandTimeout() {
      return commandTimeout;
    }

    /**
     * Sets the command timeout. Default 5 s.
     *
     * @param timeout {@code message-bus.redis.command-timeout}
     */
    public void setCommandTimeout(Duration timeout) {
      this.commandTimeout = timeout;
    }
  }

  /** {@code message-bus.postgres.*}: the PostgreSQL backend ({@code message-bus-postgres}). */
  public static class Postgres {

    /** A JDBC URL for a pool of the bus's own; unset, the application's DataSource bean is used. */
    private String url;

    /** The schema of the message_bus table; unset, the connection's search_path decides. */
    private String schema;

    /** A prefix of the table and index names (empty: Ruby's message_bus). */
    private String tablePrefix = "";

    /** Whether to create the table and its indexes when missing. */
    private boolean createSchema = true;

    /**
     * Returns the JDBC URL.
     *
     * @return {@code message-bus.postgres.url}, or null to use the DataSource bean
     */
    public String getUrl() {
      return url;
    }

    /**
     * Sets the JDBC URL. Default: none, the application's DataSource bean.
     *
     * @param url {@code message-bus.postgres.url}
     */
    public void setUrl(String url) {
      this.url = url;
    }

    /**
     * Returns the schema.
     *
     * @return {@code message-bus.postgres.schema}, or null
     */
    public String getSchema() {
      return schema;
    }

    /**
     * Sets the schema. Default: none.
     *
     * @param schema {@code message-bus.postgres.schema}
     */
    public void setSchema(String schema) {
      this.schema = schema;
    }

    /**
     * Returns the table prefix.
     *
     * @return {@code message-bus.postgres.table-prefix}
     */
    public String getTablePrefix() {
      return tablePrefix;
    }

    /**
     * Sets the table prefix. Default empty.
     *
     * @param tablePrefix {@code message-bus.postgres.table-prefix}
     */
    public void setTablePrefix(String tablePrefix) {
      this.tablePrefix = tablePrefix;
    }

    /**
     * Returns whether the table is created when missing.
     *
     * @return {@code message-bus.postgres.create-schema}
     */
    public boolean isCreateSchema() {
      return createSchema;
    }

    /**
     * Sets whether the table is created when missing. Default true.
     *
     * @param createSchema {@code message-bus.postgres.create-schema}
     */
    public void setCreateSchema(boolean createSchema) {
      this.createSchema = createSchema;
    }
  }

  /** {@code message-bus.cache.*}: the {@link org.messagebus.cache.DistributedCacheManager}. */
  public static class Cache {

    /** Whether to create the DistributedCacheManager bean. */
    private boolean enabled = true;

    /**
     * Scopes the caches to an application version: writes from processes with another version (or
     * none) are ignored. Unset: every write applies.
     */
    private String appVersion;

    /** Whether a write the backend cannot store now is queued in memory and sent later. */
    private boolean publishQueueInMemory = true;

    /**
     * Returns whether the cache manager is created.
     *
     * @return {@code message-bus.cache.enabled}
     */
    public boolean isEnabled() {
      return enabled;
    }

    /**
     * Sets whether the cache manager is created. Default true.
     *
     * @param enabled {@code message-bus.cache.enabled}
     */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /**
     * Returns the application version.
     *
     * @return {@code message-bus.cache.app-version}, or null
     */
    public String getAppVersion() {
      return appVersion;
    }

    /**
     * Sets the application version. Default: none.
     *
     * @param appVersion {@code message-bus.cache.app-version}
     */
    public void setAppVersion(String appVersion) {
      this.appVersion = appVersion;
    }

    /**
     * Returns whether refused writes are queued.
     *
     * @return {@code message-bus.cache.publish-queue-in-memory}
     */
    public boolean isPublishQueueInMemory() {
      return publishQueueInMemory;
    }

    /**
     * Sets whether refused writes are queued. Default true.
     *
     * @param publishQueueInMemory {@code message-bus.cache.publish-queue-in-memory}
     */
    public void setPublishQueueInMemory(boolean publishQueueInMemory) {
      this.publishQueueInMemory = publishQueueInMemory;
    }
  }

  /**
   * {@code message-bus.http.*}: the HTTP endpoint ({@code MessageBusFilter} and {@code
   * HttpTransportOptions} of message-bus-servlet).
   */
  public static class Http {

    /** Whether to register the HTTP endpoint in a servlet web application. */
    private boolean enabled = true;

    /** Path prefix (within the web application) before "message-bus/". */
    private String baseRoute = "/";

    /** Whether polls may be held open (long polling). */
    private boolean longPollingEnabled = true;

    /** The longest a poll is held. */
    private Duration longPollingInterval = Duration.ofSeconds(25);

    /** Whether held polls may stream with chunked encoding. */
    private boolean chunkedEncodingEnabled = true;

    /** From this many held polls on, new polls are answered at once. */
    private int maxActiveClients = 1000;

    /** Serve the debug route message-bus/broadcast (never in production). */
    private boolean allowBroadcast = false;

    /** Largest accepted request body; larger bodies get 413. */
    private DataSize maxBodySize = DataSize.ofKilobytes(64);

    /** Most channels one poll may subscribe to; more get 400. */
    private int maxChannels = 1000;

    /** Longest accepted client id; longer ones get 400. */
    private int maxClientIdLength = 128;

    /**
     * Order of the filter registration; the default runs after Spring Security's filter chain
     * (-100), so the lookups can see the authenticated user.
     */
    private int filterOrder = 0;

    /**
     * Returns whether the endpoint is registered.
     *
     * @return {@code message-bus.http.enabled}
     */
    public boolean isEnabled() {
      return enabled;
    }

    /**
     * Sets whether the endpoint is registered. Default true.
     *
     * @param enabled {@code message-bus.http.enabled}
     */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /**
     * Returns the base route.
     *
     * @return {@code message-bus.http.base-route}
     */
    public String getBaseRoute() {
      return baseRoute;
    }

    /**
     * Sets the base route. Default {@code /}; normalised like {@code HttpTransportOptions}.
     *
     * @param baseRoute {@code message-bus.http.base-route}
     */
    public void setBaseRoute(String baseRoute) {
      this.baseRoute = baseRoute;
    }

    /**
     * Returns whether long polling is enabled.
     *
     * @return {@code message-bus.http.long-polling-enabled}
     */
    public boolean isLongPollingEnabled() {
      return longPollingEnabled;
    }

    /**
     * Sets whether long polling is enabled. Default true.
     *
     * @param longPollingEnabled {@code message-bus.http.long-polling-enabled}
     */
    public void setLongPollingEnabled(boolean longPollingEnabled) {
      this.longPollingEnabled = longPollingEnabled;
    }

    /**
     * Returns the long-polling interval.
     *
     * @return {@code message-bus.http.long-polling-interval}
     */
    public Duration getLongPollingInterval() {
      return longPollingInterval;
    }

    /**
     * Sets the long-polling interval. Default 25 s; positive.
     *
     * @param longPollingInterval {@code message-bus.http.long-polling-interval}
     */
    public void setLongPollingInterval(Duration longPollingInterval) {
      this.longPollingInterval = longPollingInterval;
    }

    /**
     * Returns whether streaming is enabled.
     *
     * @return {@code message-bus.http.chunked-encoding-enabled}
     */
    public boolean isChunkedEncodingEnabled() {
      return chunkedEncodingEnabled;
    }

    /**
     * Sets whether streaming is enabled. Default true.
     *
     * @param chunkedEncodingEnabled {@code message-bus.http.chunked-encoding-enabled}
     */
    public void setChunkedEncodingEnabled(boolean chunkedEncodingEnabled) {
      this.chunkedEncodingEnabled = chunkedEncodingEnabled;
    }

    /**
     * Returns the held-poll limit.
     *
     * @return {@code message-bus.http.max-active-clients}
     */
    public int getMaxActiveClients() {
      return maxActiveClients;
    }

    /**
     * Sets the held-poll limit. Default 1,000; at least 1.
     *
     * @param maxActiveClients {@code message-bus.http.max-active-clients}
     */
    public void setMaxActiveClients(int maxActiveClients) {
      this.maxActiveClients = maxActiveClients;
    }

    /**
     * Returns whether the broadcast route is served.
     *
     * @return {@code message-bus.http.allow-broadcast}
     */
    public boolean isAllowBroadcast() {
      return allowBroadcast;
    }

    /**
     * Sets whether the broadcast route is served. Default false.
     *
     * @param allowBroadcast {@code message-bus.http.allow-broadcast}
     */
    public void setAllowBroadcast(boolean allowBroadcast) {
      this.allowBroadcast = allowBroadcast;
    }

    /**
     * Returns the body size limit.
     *
     * @return {@code message-bus.http.max-body-size}
     */
    public DataSize getMaxBodySize() {
      return maxBodySize;
    }

    /**
     * Sets the body size limit. Default 64KB; from 1 byte to 2 GB - 1.
     *
     * @param maxBodySize {@code message-bus.http.max-body-size}
     */
    public void setMaxBodySize(DataSize maxBodySize) {
      this.maxBodySize = maxBodySize;
    }

    /**
     * Returns the channel limit.
     *
     * @return {@code message-bus.http.max-channels}
     */
    public int getMaxChannels() {
      return maxChannels;
    }

    /**
     * Sets the channel limit. Default 1,000; at least 1.
     *
     * @param maxChannels {@code message-bus.http.max-channels}
     */
    public void setMaxChannels(int maxChannels) {
      this.maxChannels = maxChannels;
    }

    /**
     * Returns the client id length limit.
     *
     * @return {@code message-bus.http.max-client-id-length}
     */
    public int getMaxClientIdLength() {
      return maxClientIdLength;
    }

    /**
     * Sets the client id length limit. Default 128; at least 1.
     *
     * @param maxClientIdLength {@code message-bus.http.max-client-id-length}
     */
    public void setMaxClientIdLength(int maxClientIdLength) {
      this.maxClientIdLength = maxClientIdLength;
    }

    /**
     * Returns the filter order.
     *
     * @return {@code message-bus.http.filter-order}
     */
    public int getFilterOrder() {
      return filterOrder;
    }

    /**
     * Sets the filter order. Default 0 (after Spring Security).
     *
     * @param filterOrder {@code message-bus.http.filter-order}
     */
    public void setFilterOrder(int filterOrder) {
      this.filterOrder = filterOrder;
    }
  }
}
