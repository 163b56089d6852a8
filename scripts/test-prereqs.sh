#!/usr/bin/env bash
# What `make test` needs before pytest: Chromium (the browser tests), PostgreSQL and Redis (the
# test settings' DATABASE_URL and CELERY_BROKER_URL). Missing pieces are installed or started
# when possible (root with apt-get, a local server), as .ci/run does; otherwise this stops
# with ONE line saying what to do, and exits 1, so pytest never reports an error per test.
set -uo pipefail

DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/kubenet}"
CELERY_BROKER_URL="${CELERY_BROKER_URL:-redis://127.0.0.1:6379/15}"

stop() { echo "make test: $*" >&2; exit 1; }
can_apt() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }
apt_install() {
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1
}

# host and port of a URL: scheme://[user[:pw]@]host[:port][/...]
url_host() { local r="${1#*://}"; r="${r##*@}"; r="${r%%/*}"; echo "${r%%:*}"; }
url_port() { local r="${1#*://}"; r="${r##*@}"; r="${r%%/*}"; [[ "$r" == *:* ]] && echo "${r##*:}" || echo "$2"; }
is_local() { [[ "$1" == 127.0.0.1 || "$1" == localhost || "$1" == ::1 ]]; }

# --- Chromium ---------------------------------------------------------------------------------
chromium_path() {
  if [ -n "${CHROMIUM_PATH:-}" ]; then [ -x "$CHROMIUM_PATH" ] && echo "$CHROMIUM_PATH"; return; fi
  command -v chromium 2>/dev/null
}
if [ -z "$(chromium_path)" ]; then
  if [ -z "${CHROMIUM_PATH:-}" ] && can_apt; then
    echo "make test: installing Debian's chromium for the browser tests" >&2
    apt_install chromium || stop "installing chromium failed: run \`apt-get install chromium\` as root"
  fi
  [ -n "$(chromium_path)" ] || stop "Chromium is missing for the browser tests: install Debian's chromium (\`apt-get install chromium\`) or set CHROMIUM_PATH to a Chromium binary"
fi

# --- PostgreSQL -------------------------------------------------------------------------------
case "$DATABASE_URL" in
  postgres://*|postgresql://*)
    pg_host="$(url_host "$DATABASE_URL")"; pg_port="$(url_port "$DATABASE_URL" 5432)"
    pg_up() {
      if command -v pg_isready >/dev/null 2>&1; then pg_isready -q -h "$pg_host" -p "$pg_port" 2>/dev/null
      else timeout 2 bash -c "exec 3<>/dev/tcp/$pg_host/$pg_port" 2>/dev/null; fi
    }
    if ! pg_up && is_local "$pg_host" && command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
      for v in /etc/postgresql/*/; do
        pg_ctlcluster --skip-systemctl-redirect "$(basename "$v")" main start >/dev/null 2>&1 || true
      done
      for _ in $(seq 1 30); do pg_up && break; sleep 1; done
    fi
    pg_up || stop "PostgreSQL does not answer on $pg_host:$pg_port (DATABASE_URL): start it (\`pg_ctlcluster <version> main start\`) or install it (\`apt-get install postgresql\`)"
    ;;
esac

# --- Redis ------------------------------------------------------------------------------------
case "$CELERY_BROKER_URL" in
  redis://*)
    r_host="$(url_host "$CELERY_BROKER_URL")"; r_port="$(url_port "$CELERY_BROKER_URL" 6379)"
    redis_up() {
      timeout 3 bash -c "exec 3<>/dev/tcp/$r_host/$r_port && printf 'PING\r\n' >&3 && read -r -t 2 line <&3 \
        && [[ \"\$line\" == +PONG* ]]" 2>/dev/null
    }
    if ! redis_up && is_local "$r_host" && command -v redis-server >/dev/null 2>&1; then
      mkdir -p /tmp/kubenet-redis
      redis-server --daemonize yes --bind 127.0.0.1 --port "$r_port" --save "" --appendonly no \
        --dir /tmp/kubenet-redis --logfile /tmp/kubenet-redis/redis.log >/dev/null 2>&1 || true
      for _ in $(seq 1 30); do redis_up && break; sleep 1; done
    fi
    redis_up || stop "Redis does not answer on $r_host:$r_port (CELERY_BROKER_URL): start it (\`redis-server --daemonize yes\`) or install it (\`apt-get install redis-server\`)"
    ;;
esac
exit 0
