# shellcheck shell=bash
# Sourced by run-load.sh for SERVER=ruby: gets Discourse's message_bus gem and the Debian packages
# it needs, and sets the environment ruby/config.ru reads. The gem's code is unpacked at run time
# into target/ and never committed.
#
# Where the gem comes from, first found wins:
#   MB_RUBY_SRC   an unpacked checkout (its lib/message_bus.rb), e.g. after
#                 `git clone https://github.com/discourse/message_bus /tmp/message_bus`
#   MB_RUBY_GIT   a git directory of that repository (default /work/.mirror/discourse+message_bus/repo,
#                 where this workplace's search tool `fetch github:discourse/message_bus` puts it);
#                 its HEAD is unpacked with `git archive` into target/ruby-message-bus

ruby_env() {
  local backend="$1"
  local here
  here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  export MB_RUBY_SRC="${MB_RUBY_SRC:-$here/target/ruby-message-bus}"
  if [[ ! -f "$MB_RUBY_SRC/lib/message_bus.rb" ]]; then
    local git_dir="${MB_RUBY_GIT:-/work/.mirror/discourse+message_bus/repo}"
    if [[ ! -d "$git_dir" ]]; then
      echo "the message_bus gem is needed: set MB_RUBY_SRC to a checkout of" \
        "github.com/discourse/message_bus, or MB_RUBY_GIT to its git directory" >&2
      exit 1
    fi
    mkdir -p "$MB_RUBY_SRC"
    git --git-dir="$git_dir" archive HEAD | tar -x -C "$MB_RUBY_SRC"
    echo "unpacked message_bus $(git --git-dir="$git_dir" rev-parse --short HEAD) into $MB_RUBY_SRC"
  fi
  local missing=()
  for pkg in ruby ruby-rack ruby-redis ruby-pg puma; do
    dpkg -s "$pkg" > /dev/null 2>&1 || missing+=("$pkg")
  done
  if (( ${#missing[@]} > 0 )); then
    echo "installing Debian packages: ${missing[*]}"
    apt-get install -y -q "${missing[@]}" > /dev/null
  fi
  export LOADBENCH_STATE_DIR="$here/target/ruby-state-$$"
  rm -rf "$LOADBENCH_STATE_DIR"
  mkdir -p "$LOADBENCH_STATE_DIR"
  RUBY_WORKERS="${RUBY_WORKERS:-2}"
  case "$backend" in
    memory)
      export MB_BACKEND=memory
      if [[ "$RUBY_WORKERS" != 0 ]]; then
        echo "memory backend: one Puma process (RUBY_WORKERS=0), the workers could not share it"
        RUBY_WORKERS=0
      fi
      ;;
    redis://*)
      export MB_BACKEND=redis MB_REDIS_URL="$backend"
      redis-cli -u "$backend" flushdb > /dev/null
      ;;
    postgres)
      export MB_BACKEND=postgres MB_PG_DBNAME="${MB_PG_DBNAME:-loadbench}"
      psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$MB_PG_DBNAME'" |
        grep -q 1 || createdb -h 127.0.0.1 -U postgres "$MB_PG_DBNAME"
      psql -h 127.0.0.1 -U postgres -d "$MB_PG_DBNAME" -qc "DROP TABLE IF EXISTS message_bus" 2> /dev/null
      ;;
    *)
      echo "SERVER=ruby: BACKEND must be memory, redis, redis://... or postgres, not $backend" >&2
      exit 2
      ;;
  esac
  if [[ "$RUBY_WORKERS" == 0 ]]; then
    export LOADBENCH_CLUSTER=0
  else
    export LOADBENCH_CLUSTER=1
  fi
  export MB_LONG_POLLING_INTERVAL_MS="${INTERVAL_MS:-25000}"
}
