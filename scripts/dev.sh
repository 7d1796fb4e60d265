#!/usr/bin/env bash
# The steps behind `make run` and `make test`. Each step checks first and does only what is missing,
# so a second run is fast and keeps the data.
#
#   scripts/dev.sh run     set up, then serve CKAN on http://127.0.0.1:5000
#   scripts/dev.sh test    set up the test database, then run the whole test suite
#   scripts/dev.sh setup   set up for `run` without serving
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

PYTHON=${PYTHON:-python3.11}
VENV=$ROOT/.venv
CKAN=$VENV/bin/ckan
STATE=$ROOT/.state
PGHOST=${PGHOST_CKAN:-127.0.0.1}
PGPORT=${PGPORT_CKAN:-5432}
DB_USER=${CKAN_DB_USER:-ckan_default}
DB_PASS=${CKAN_DB_PASSWORD:-ckan_default}
RUN_DB=${CKAN_DB_NAME:-ckan_default}
TEST_DB=${CKAN_TEST_DB_NAME:-ckan_test}
BENCH_DB=${CKAN_BENCH_DB_NAME:-ckan_bench}
REDIS_PORT=${CKAN_REDIS_PORT:-6379}
SITE_URL=http://127.0.0.1:5000
PLUGINS="activity scheming_datasets scheming_organizations citizendata dcat harvest ckan_harvester dcat_rdf_harvester citizendata_ckan_harvester citizendata_dcat_harvester citizendata_sdmx_harvester citizendata_ppsr_harvester citizendata_eucs_harvester citizendata_kobo_harvester citizendata_odk_harvester"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
LOG=$STATE/setup.log
# run a step quietly; on failure show its output
quietly() {
  mkdir -p "$STATE"
  if ! "$@" >"$LOG" 2>&1; then
    grep -v "neither a file nor a directory" "$LOG" | tail -n 40 >&2
    echo "failed: $* (full output in $LOG)" >&2
    exit 1
  fi
}
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo

# ------------------------------------------------------------------ system packages
python_headers_ok() {
  command -v "$PYTHON" >/dev/null 2>&1 &&
    "$PYTHON" -c 'import os, sysconfig; raise SystemExit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' 2>/dev/null
}
postgres_up() { (exec 3<>"/dev/tcp/$PGHOST/$PGPORT") 2>/dev/null; }
redis_up() {
  local reply
  reply=$( (exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT" && printf 'PING\r\n' >&3 && timeout 2 head -c 5 <&3) 2>/dev/null || true)
  [ "$reply" = "+PONG" ]
}

ensure_system_packages() {
  local missing=()
  command -v "$PYTHON" >/dev/null 2>&1 || missing+=(python3.11)
  "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3.11-venv)
  python_headers_ok || missing+=(python3.11-dev)
  command -v gcc >/dev/null 2>&1 || missing+=(gcc libc6-dev)
  command -v pg_config >/dev/null 2>&1 || missing+=(libpq-dev)
  command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
  command -v make >/dev/null 2>&1 || missing+=(make)
  ldconfig -p 2>/dev/null | grep -q 'libmagic.so.1' || missing+=(libmagic1)
  if ! postgres_up && ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then missing+=(postgresql); fi
  if ! redis_up && ! command -v redis-server >/dev/null 2>&1; then missing+=(redis-server); fi
  if [ ${#missing[@]} -gt 0 ]; then
    say "Installing system packages: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

# ------------------------------------------------------------------ browser tests (tests/browser)
# Debian's Chromium and its WebDriver; axe-core from the npm registry, pinned and checked against its published
# sha512 integrity, unpacked once into .state/axe-core/ (the tests inject axe.min.js into the pages).
AXE_VERSION=4.10.3
AXE_INTEGRITY=sha512-Xm7bpRXnDSX2YE2YFfBk2FnF0ep6tmG7xPh8iHee8MIcrgq762Nkce856dYtJYLkuIoYZvGfTs/PbZhideTcEg==
AXE_DIR=$STATE/axe-core

ensure_browser() {
  local missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
  command -v curl >/dev/null 2>&1 || missing+=(curl ca-certificates)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  if [ ${#missing[@]} -gt 0 ]; then
    say "Installing system packages for the browser tests: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

ensure_axe() {
  [ "$(cat "$AXE_DIR/VERSION" 2>/dev/null)" = "$AXE_VERSION" ] && [ -s "$AXE_DIR/axe.min.js" ] && return 0
  say "Fetching axe-core $AXE_VERSION (npm registry)"
  local tmp
  tmp=$(mktemp -d)
  curl -fsSL --retry 3 -o "$tmp/axe.tgz" "https://registry.npmjs.org/axe-core/-/axe-core-$AXE_VERSION.tgz"
  local got
  got="sha512-$(openssl dgst -sha512 -binary "$tmp/axe.tgz" | base64 -w0)"
  if [ "$got" != "$AXE_INTEGRITY" ]; then
    rm -rf "$tmp"
    echo "axe-core $AXE_VERSION: the tarball's integrity $got is not the published $AXE_INTEGRITY" >&2
    exit 1
  fi
  tar -xzf "$tmp/axe.tgz" -C "$tmp" package/axe.min.js package/LICENSE
  mkdir -p "$AXE_DIR"
  mv "$tmp/package/axe.min.js" "$tmp/package/LICENSE" "$AXE_DIR/"
  echo "$AXE_VERSION" > "$AXE_DIR/VERSION"
  rm -rf "$tmp"
}

# ------------------------------------------------------------------ services
ensure_postgres() {
  postgres_up && return 0
  say "Starting PostgreSQL"
  local version
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n1)
  if [ -z "$version" ]; then echo "PostgreSQL is installed but has no cluster in /etc/postgresql" >&2; exit 1; fi
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null ||
    $SUDO pg_ctlcluster "$version" main start
  for _ in $(seq 30); do postgres_up && return 0; sleep 1; done
  echo "PostgreSQL did not start on $PGHOST:$PGPORT" >&2; exit 1
}

ensure_redis() {
  redis_up && return 0
  say "Starting Redis"
  $SUDO mkdir -p /var/lib/redis /var/log/redis
  $SUDO redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/citizendata.log
  for _ in $(seq 20); do redis_up && return 0; sleep 0.5; done
  echo "Redis did not start on 127.0.0.1:$REDIS_PORT" >&2; exit 1
}

# SQL as the PostgreSQL superuser: the local postgres account, else the postgres role over TCP
pg_admin() {
  if id postgres >/dev/null 2>&1 && { [ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null; }; then
    (cd /tmp && $SUDO -u postgres psql -X -v ON_ERROR_STOP=1 -qtA "$@" 2>/dev/null) ||
      (cd /tmp && runuser -u postgres -- psql -X -v ON_ERROR_STOP=1 -qtA "$@")
  else
    psql -X -h "$PGHOST" -p "$PGPORT" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"
  fi
}

ensure_database() {
  local db=$1
  if ! pg_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'" | grep -q 1; then
    say "Creating PostgreSQL role $DB_USER"
    pg_admin -c "CREATE ROLE \"$DB_USER\" LOGIN PASSWORD '$DB_PASS'"
  fi
  if ! pg_admin -c "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
    say "Creating database $db"
    pg_admin -c "CREATE DATABASE \"$db\" OWNER \"$DB_USER\" ENCODING 'UTF8' TEMPLATE template0"
  fi
  ensure_rum "$db"
}

# RUM, the index that ranks text matches (migration c9e1a3b50009): on a server of this machine, its Debian package
# and the extension in each database (creating it needs the superuser); a server elsewhere keeps the GIN index
ensure_rum() {
  local db=$1 version
  ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || return 0
  case "$PGHOST" in 127.0.0.1|localhost|/*) ;; *) return 0 ;; esac
  version=$(pg_admin -c "SHOW server_version_num" | cut -c1-2)
  if [ ! -f "/usr/share/postgresql/$version/extension/rum.control" ]; then
    say "Installing postgresql-$version-rum"
    { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
        "postgresql-$version-rum"; } || { echo "postgresql-$version-rum could not be installed: the GIN index is used" >&2; return 0; }
  fi
  pg_admin -d "$db" -c "CREATE EXTENSION IF NOT EXISTS rum"
}

# ------------------------------------------------------------------ Python
ensure_venv() {
  local want have
  want=$(cat requirements/lock.txt setup.py | sha256sum | cut -c1-16)
  have=$(cat "$VENV/.citizendata-deps" 2>/dev/null || true)
  [ -x "$CKAN" ] && [ "$want" = "$have" ] && return 0
  [ -x "$VENV/bin/python" ] || { say "Creating $VENV"; "$PYTHON" -m venv "$VENV"; }
  say "Installing CKAN 2.12, ckanext-dcat, ckanext-harvest, ckanext-scheming and this package"
  quietly "$VENV/bin/pip" install --disable-pip-version-check -U "pip>=24" "setuptools>=68" wheel
  quietly "$VENV/bin/pip" install --disable-pip-version-check -r requirements/lock.txt
  quietly "$VENV/bin/pip" install --disable-pip-version-check --no-deps --no-build-isolation -e .
  echo "$want" > "$VENV/.citizendata-deps"
}

# ------------------------------------------------------------------ CKAN
ensure_config() {
  # ckanext-harvest uses ckan.redis.url (with its socket_timeout) only when no mq.hostname is set: with one, its
  # consumers get redis-py's 5 s timeout and die when idle. Earlier setups wrote one: take it out.
  [ -f ckan.ini ] && sed -i -E '/^ckan\.harvest\.mq\.(hostname|port|redis_db) *=/d' ckan.ini
  [ -f ckan.ini ] && { ensure_plugins; return 0; }
  say "Writing ckan.ini"
  mkdir -p storage
  quietly "$CKAN" generate config ckan.ini
  quietly "$CKAN" config-tool ckan.ini \
    "sqlalchemy.url = postgresql://$DB_USER:$DB_PASS@$PGHOST:$PGPORT/$RUN_DB" \
    "ckan.site_url = $SITE_URL" \
    "ckan.site_title = Citizen Data Catalog" \
    "ckan.plugins = $PLUGINS" \
    "solr_url = http://127.0.0.1:8983/solr/ckan-unused" \
    "ckan.redis.url = redis://127.0.0.1:$REDIS_PORT/1?socket_timeout=86400" \
    "ckan.harvest.mq.type = redis" \
    "ckan.storage_path = $ROOT/storage" \
    "ckanext.citizendata.search.backend = postgres" \
    "scheming.dataset_schemas = ckanext.citizendata.schemas:dataset.yaml ckanext.citizendata.schemas:initiative.yaml" \
    "scheming.organization_schemas = ckanext.citizendata.schemas:organization.yaml" \
    "scheming.presets = ckanext.scheming:presets.json ckanext.dcat.schemas:presets.yaml ckanext.citizendata.schemas:presets.yaml" \
    "ckanext.dcat.enable_content_negotiation = true" \
    "ckanext.citizendata.dcat.publisher_type = http://purl.org/adms/publishertype/NonProfitOrganisation" \
    "SESSION_COOKIE_SAMESITE = Lax" \
    "REMEMBER_COOKIE_SAMESITE = Lax"
  # cookies over HTTPS only when the site is served over HTTPS (web/cookies.py also marks them Secure on any
  # request that arrives over HTTPS, and never lets SameSite=None go without Secure)
  case $SITE_URL in
    https://*) quietly "$CKAN" config-tool ckan.ini "SESSION_COOKIE_SECURE = true" "REMEMBER_COOKIE_SECURE = true" ;;
  esac
}

ensure_plugins() {  # an older ckan.ini gains the plugins added since it was written (its own choices stay)
  local current missing=() plugin
  current=$(sed -n -E 's/^ckan\.plugins *= *//p' ckan.ini | tail -1)
  for plugin in $PLUGINS; do
    case " $current " in *" $plugin "*) ;; *) missing+=("$plugin") ;; esac
  done
  grep -q '^scheming.organization_schemas' ckan.ini ||  # the organization schema came with scheming_organizations
    quietly "$CKAN" config-tool ckan.ini "scheming.organization_schemas = ckanext.citizendata.schemas:organization.yaml"
  [ ${#missing[@]} -eq 0 ] && return 0
  say "Adding plugins to ckan.ini: ${missing[*]}"
  quietly "$CKAN" config-tool ckan.ini "ckan.plugins = $current ${missing[*]}"
}

ADMIN_NOTE="(password kept in .state/admin-password)"
ensure_admin() {
  mkdir -p "$STATE"
  local fresh_password=0
  if [ ! -s "$STATE/admin-password" ]; then
    fresh_password=1
    "$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(12))' > "$STATE/admin-password"
    chmod 600 "$STATE/admin-password"
  fi
  local exists
  exists=$(PGPASSWORD=$DB_PASS psql -X -h "$PGHOST" -p "$PGPORT" -U "$DB_USER" -d "$RUN_DB" -qtA \
    -c "SELECT count(*) FROM \"user\" WHERE name = 'admin' AND sysadmin AND state = 'active'")
  if [ "$exists" != "1" ]; then
    say "Creating sysadmin admin"
    quietly "$CKAN" -c ckan.ini user add admin email=admin@example.org password="$(cat "$STATE/admin-password")"
    quietly "$CKAN" -c ckan.ini sysadmin add admin
  elif [ $fresh_password = 1 ]; then
    # the account was made by an earlier setup with another checkout: its password is not ours to show
    rm -f "$STATE/admin-password"
    ADMIN_NOTE="(account existed already: password unchanged; reset it with: .venv/bin/ckan -c ckan.ini user setpass admin)"
  fi
}

migrate() {  # core, then every enabled plugin's migrations (activity, harvest, citizendata)
  say "Migrating database ($1)"
  quietly "$CKAN" -c "$1" db upgrade
}

setup_common() {
  ensure_system_packages
  ensure_postgres
  ensure_redis
  ensure_venv
}

cmd_setup() {
  setup_common
  ensure_database "$RUN_DB"
  ensure_config
  migrate ckan.ini
  ensure_admin
  say "Loading vocabularies and demo records"
  quietly "$CKAN" -c ckan.ini citizendata vocab load
  quietly "$CKAN" -c ckan.ini citizendata seed-demo
}

cmd_run() {
  cmd_setup
  cat <<EOF

  CKAN with ckanext-citizendata:   $SITE_URL
  Sysadmin:                        admin / $(cat "$STATE/admin-password" 2>/dev/null || echo '?')   $ADMIN_NOTE
  API token for admin:             .venv/bin/ckan -c ckan.ini user token add admin my-token
                                   (or log in, then User > API Tokens)
  Config:                          ckan.ini        Stop: Ctrl-C (the server and the workers together)
  Server:                          gunicorn, WEB_CONCURRENCY workers (default 2 x cores + 1), with CKAN's
                                   job worker and the harvest consumers (scripts/serve.py)

EOF
  exec "$VENV/bin/python" scripts/serve.py --config ckan.ini --host 127.0.0.1 --port 5000
}

cmd_test() {
  setup_common
  ensure_database "$TEST_DB"
  migrate tests/test.ini
  ensure_browser
  ensure_axe
  say "Running the test suite"
  set +e
  # the browser tests fail, not skip, when the browser, its driver or axe-core is missing
  CITIZENDATA_BROWSER=1 CITIZENDATA_AXE_JS="$AXE_DIR/axe.min.js" "$VENV/bin/python" -m pytest "$@"
  local rc=$?
  set -e
  if [ $rc -eq 5 ]; then echo "pytest collected no test: failing" >&2; exit 1; fi
  exit $rc
}

bench_config() {  # bench_config INI DB REDIS_DB: a copy of ckan.ini on a database of its own
  ensure_database "$2"
  if [ ! -f "$1" ]; then
    cp ckan.ini "$1"
    quietly "$CKAN" config-tool "$1" \
      "sqlalchemy.url = postgresql://$DB_USER:$DB_PASS@$PGHOST:$PGPORT/$2" \
      "ckan.redis.url = redis://127.0.0.1:$REDIS_PORT/$3?socket_timeout=86400"
  fi
  migrate "$1"
  quietly "$CKAN" -c "$1" citizendata vocab load
}

cmd_bench() {  # databases of their own for the benchmarks, then run them
  setup_common
  [ -f ckan.ini ] || cmd_setup
  bench_config bench.ini "$BENCH_DB" 4
  bench_config bench-search.ini "${BENCH_DB}_search" 5
  bench_config bench-dcat.ini "${BENCH_DB}_dcat" 6
  bench_config bench-load.ini "${BENCH_DB}_load" 7
  bench_config bench-harvest.ini "${BENCH_DB}_harvest" 8
  bench_config bench-quality.ini "${BENCH_DB}_quality" 9
  say "Benchmarks (figures below)"
  "$VENV/bin/python" benchmarks/generate.py --config bench.ini "${@}" 2>/dev/null | grep -E '^[a-z_0-9]+: '
  "$VENV/bin/python" benchmarks/search.py --config bench-search.ini 2>/dev/null | grep -E '^[a-z_0-9]+: '
  "$VENV/bin/python" benchmarks/dcat.py --config bench-dcat.ini --compare-n 2>/dev/null | grep -E '^[a-z_0-9]+: '
  "$VENV/bin/python" benchmarks/load.py --config bench-load.ini 2>/dev/null | grep -E '^[a-z_0-9]+: '
  "$VENV/bin/python" benchmarks/harvest.py --config bench-harvest.ini --memory 2>/dev/null | grep -E '^[a-z_0-9]+: '
  "$VENV/bin/python" benchmarks/quality.py --config bench-quality.ini 2>/dev/null | grep -E '^[a-z_0-9]+: '
}

case "${1:-}" in
  run) cmd_run ;;
  bench) shift; cmd_bench "$@" ;;
  setup) cmd_setup ;;
  test) shift; cmd_test "$@" ;;
  *) echo "usage: $0 run|setup|test [pytest args]|bench" >&2; exit 2 ;;
esac
