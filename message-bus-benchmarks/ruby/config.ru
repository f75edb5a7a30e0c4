# frozen_string_literal: true

# The Ruby load server: Discourse's message_bus gem (unpacked at run time by run-ruby.sh, never
# committed here) served by Puma, plus the same control routes as the Java LoadServer, so that one
# LoadClient measures both:
#
#   GET  /control/stats[?gc=true]            JSON: held, rss, cpuNanos, fds, published, lastId, ...
#   POST /control/publish?rate=R&count=C[&warmup=true]
#                                            publish C messages {"n": index or -1, "t": epoch µs}
#   POST /control/stop                       stop Puma
#
# Figures are summed over Puma's master and workers (read from /proc). Each worker writes its own
# held-poll count and publish counters to a file in LOADBENCH_STATE_DIR every 100 ms, so that the
# worker answering /control/stats can add up every worker's.
#
# Environment: MB_RUBY_SRC (the unpacked gem, required), LOADBENCH_STATE_DIR (required),
# MB_BACKEND (memory | redis | postgres; memory), MB_REDIS_URL (redis://127.0.0.1:6379/12),
# MB_PG_DBNAME (loadbench), MB_CHANNEL (/load), MB_LONG_POLLING_INTERVAL_MS (25000).

$LOAD_PATH.unshift(File.join(ENV.fetch("MB_RUBY_SRC"), "lib"))
require "rack"
require "json"
require "etc"
require "logger"
require "fileutils"
require "message_bus"

BACKEND = ENV.fetch("MB_BACKEND", "memory")
CHANNEL = ENV.fetch("MB_CHANNEL", "/load")
STATE_DIR = ENV.fetch("LOADBENCH_STATE_DIR")
REDIS_URL = ENV.fetch("MB_REDIS_URL", "redis://127.0.0.1:6379/12")
CLK_TCK = Etc.sysconf(Etc::SC_CLK_TCK)
FileUtils.mkdir_p(STATE_DIR)

case BACKEND
when "redis"
  db = Integer(REDIS_URL[%r{/(\d+)\z}, 1] || "0")
  MessageBus.configure(backend: :redis, redis_config: { url: REDIS_URL, db: db })
when "postgres"
  MessageBus.configure(
    backend: :postgres,
    backend_options: { host: "127.0.0.1", user: "postgres", dbname: ENV.fetch("MB_PG_DBNAME", "loadbench") }
  )
when "memory"
  MessageBus.configure(backend: :memory)
else
  raise ArgumentError, "MB_BACKEND must be memory, redis or postgres, not #{BACKEND}"
end
MessageBus.long_polling_interval = Integer(ENV.fetch("MB_LONG_POLLING_INTERVAL_MS", "25000"))
MessageBus.max_active_clients = 1_000_000 # the default, 1000, would turn polls into plain polls
MessageBus.keepalive_interval = 0 # as the Java load server (keepalive off)
MessageBus.logger = Logger.new($stderr, level: Logger::WARN)

# The counters of this process, shared with the other workers through STATE_DIR.
module LoadState
  @published = 0
  @failures = 0
  @lock = Mutex.new
  @save_lock = Mutex.new
  class << self
    attr_accessor :middleware

    def count(ok)
      @lock.synchronize { ok ? @published += 1 : @failures += 1 }
    end

    def mine
      manager = middleware.instance_variable_get(:@connection_manager)
      { "held" => manager.client_count, "published" => @published, "publishFailures" => @failures }
    end

    # Called by the saver thread and by /control/stats: one at a time.
    def save
      path = File.join(STATE_DIR, "#{Process.pid}.json")
      @save_lock.synchronize do
        File.write("#{path}.tmp", JSON.generate(mine))
        File.rename("#{path}.tmp", path)
      end
    end
  end
end

# Puma's master (the parent of a worker in cluster mode) and its workers.
def server_pids
  master = ENV["LOADBENCH_CLUSTER"] == "1" ? Process.ppid : Process.pid
  children = Dir.glob("/proc/[0-9]*/stat").filter_map do |f|
    fields = File.read(f).split(") ", 2)[1].split(" ")
    Integer(File.basename(File.dirname(f))) if Integer(fields[1]) == master
  rescue StandardError
    nil
  end
  [master] + children
end

def proc_cpu_nanos(pid)
  fields = File.read("/proc/#{pid}/stat").split(") ", 2)[1].split(" ")
  (Integer(fields[11]) + Integer(fields[12])) * (1_000_000_000 / CLK_TCK)
end

def proc_rss(pid)
  line = File.foreach("/proc/#{pid}/status").find { |l| l.start_with?("VmRSS:") }
  line ? Integer(line[/\d+/]) * 1024 : 0
end

def stats(gc)
  GC.start if gc
  LoadState.save
  pids = server_pids
  live = pids.map(&:to_s)
  totals = Hash.new(0)
  Dir.glob(File.join(STATE_DIR, "*.json")).each do |f|
    next unless live.include?(File.basename(f, ".json"))

    JSON.parse(File.read(f)).each { |k, v| totals[k] += v }
  rescue StandardError
    next
  end
  {
    "server" => "ruby",
    "backend" => BACKEND,
    "redisUri" => BACKEND == "redis" ? REDIS_URL : nil,
    "held" => totals["held"],
    "heapUsed" => -1,
    "rss" => pids.sum { |p| proc_rss(p) rescue 0 },
    "cpuNanos" => pids.sum { |p| proc_cpu_nanos(p) rescue 0 },
    "fds" => pids.sum { |p| Dir.children("/proc/#{p}/fd").size rescue 0 },
    "published" => totals["published"],
    "publishFailures" => totals["publishFailures"],
    "lastId" => MessageBus.last_id(CHANNEL),
    "processes" => pids.size,
    "rubyVersion" => RUBY_VERSION,
    "messageBusVersion" => MessageBus::VERSION
  }
end

def epoch_micros
  Process.clock_gettime(Process::CLOCK_REALTIME, :microsecond)
end

def publish_at_rate(rate, count, warmup)
  Thread.new do
    start = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    count.times do |i|
      wait = start + i / rate - Process.clock_gettime(Process::CLOCK_MONOTONIC)
      sleep(wait) if wait.positive?
      begin
        MessageBus.publish(CHANNEL, { "n" => warmup ? -1 : i, "t" => epoch_micros })
        LoadState.count(true)
      rescue StandardError => e
        warn "publish failed: #{e}"
        LoadState.count(false)
      end
    end
  end
end

control = lambda do |env|
  req = Rack::Request.new(env)
  json = ->(status, body) { [status, { "Content-Type" => "application/json" }, [JSON.generate(body)]] }
  case req.path_info
  when "/control/stats"
    json.call(200, stats(req.params["gc"] == "true"))
  when "/control/publish"
    rate = Float(req.params["rate"], exception: false)
    count = Integer(req.params["count"], exception: false)
    next json.call(400, { "error" => "rate must be positive and count at least 1" }) unless rate&.positive? && count&.positive?

    publish_at_rate(rate, count, req.params["warmup"] == "true")
    json.call(200, { "publishing" => count, "rate" => rate })
  when "/control/stop"
    master = ENV["LOADBENCH_CLUSTER"] == "1" ? Process.ppid : Process.pid
    Thread.new do
      sleep 0.2
      Process.kill("TERM", master)
    end
    json.call(200, { "stopping" => true })
  else
    [404, { "Content-Type" => "text/plain" }, ["not found"]]
  end
end

LoadState.middleware = MessageBus::Rack::Middleware.new(control)
Thread.new do
  loop do
    LoadState.save
    sleep 0.1
  rescue StandardError => e
    warn "state: #{e}"
    sleep 1
  end
end
run LoadState.middleware
