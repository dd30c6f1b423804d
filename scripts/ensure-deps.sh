# Sourced by scripts/run and scripts/test: installs what a fresh machine lacks.
# Each step is skipped when its result is already there.

# npm packages of the web client, exactly as locked.
ensure_web_deps() {
  if [ ! -d web/node_modules ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
    echo "==> installing the web client's npm packages"
    (cd web && npm ci --no-audit --no-fund)
  fi
}

# Debian's chromium for the browser tests (Playwright's own browser download
# cannot work offline).
ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    echo "==> installing chromium (Debian package)"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
  fi
}

# PostgreSQL on 127.0.0.1:5432 for the PostgreSQL store's tests (each makes
# and drops a database of its own there): started when it is not answering.
ensure_postgres() {
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    echo "==> starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
    for _ in $(seq 50); do
      pg_isready -q -h 127.0.0.1 -p 5432 && return 0
      sleep 0.2
    done
    echo "PostgreSQL did not start on 127.0.0.1:5432" >&2
    return 1
  fi
}
