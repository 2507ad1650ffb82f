# Shared by deploy/install and deploy/upgrade (sourced, not run). Paths (docs/deploy.md):
#   /srv/huoli/releases/<time>/  the code of each install or upgrade, with its own virtualenv
#                                (venv/); /srv/huoli/current -> the one the workers start from
#   /srv/huoli/static            collectstatic's files, which nginx serves (root's)
#   /var/lib/huoli               keys, backups (HUOLI_VAR_DIR), only for the huoli user
#   /etc/huoli/huoli.env         settings; /etc/huoli/deploy.conf: the server name, workers
#   /var/log/huoli/nginx/        nginx's error log without addresses (decision 0039)
#   /var/log/huoli/units/        what the units print, where systemd does not run

PREFIX=/srv/huoli
STATIC=$PREFIX/static
VAR=/var/lib/huoli
ETC=/etc/huoli
LOGS=/var/log/huoli
ENV_FILE=$ETC/huoli.env
DEPLOY_CONF=$ETC/deploy.conf
SOURCE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KEEP_RELEASES=3
# A failing command inside $(...) or a function stops the script too, and says where.
shopt -s inherit_errexit
set -E
trap 'printf "deploy: stopped: \"%s\" failed (line %s of %s)\n" "$BASH_COMMAND" "$LINENO" "${BASH_SOURCE[0]##*/}" >&2' ERR

say() { printf '== %s\n' "$*"; }
fail() { printf 'deploy: %s\n' "$*" >&2; exit 1; }

need_root() { [ "$(id -u)" -eq 0 ] || fail "run this as root (sudo $0 ...)"; }

have_systemd() { [ -d /run/systemd/system ]; }

# unit start|stop|restart|enable UNIT...: systemd's, or deploy/without-systemd where systemd
# does not run (containers, CI): the same unit files either way.
unit() {
  local action=$1
  shift
  if have_systemd; then
    case $action in
      enable) systemctl enable --now "$@" ;;
      *) systemctl "$action" "$@" ;;
    esac
  else
    case $action in
      enable) "$SOURCE/deploy/without-systemd" start "$@" ;;
      *) "$SOURCE/deploy/without-systemd" "$action" "$@" ;;
    esac
  fi
}

# Debian's own services (PostgreSQL, Redis, nginx): systemd's, or their init scripts.
service_do() {
  local action=$1 name=$2
  if have_systemd; then
    if [ "$action" = start ]; then systemctl enable --now "$name"; else systemctl "$action" "$name"; fi
  else
    service "$name" "$action" >/dev/null
  fi
}

# run_as USER RELEASE ARGS...: the release's Python with the installed settings, in the
# release (the settings file is read by bash here and by systemd for the units: plain
# KEY=value lines, no quotes or $).
run_as() {
  local user=$1 release=$2
  shift 2
  (cd "$release" && runuser -u "$user" -- env -i PATH=/usr/bin:/bin LANG=C.UTF-8 \
    bash -c 'set -a; . "$0"; set +a; exec "$@"' "$ENV_FILE" "$release/venv/bin/python" "$@")
}
as_huoli() { run_as huoli "$@"; }

# A new release: the code of this checkout (without its virtualenv, var/, node_modules or .git).
release_new() {
  local release
  release=$PREFIX/releases/$(date -u +%Y%m%dT%H%M%SZ)
  [ -e "$release" ] && release=$release-$$
  mkdir -p "$release"
  tar -C "$SOURCE" --exclude=./.git --exclude=./.venv --exclude=./var --exclude=./node_modules \
    --exclude='*.egg-info' --exclude=__pycache__ --exclude=./.ci -cf - . | tar -C "$release" -xf -
  [ -f "$release/manage.py" ] && [ -f "$release/pyproject.toml" ] || fail "copying the code into $release failed"
  chown -R root:root "$release"
  chmod -R u=rwX,go=rX "$release"
  echo "$release"
}

# The release's own virtualenv with exactly the packages pyproject.toml asks for (the code
# runs from the release, which uvicorn and manage.py find in their working directory). One per
# release: a worker still running the old release never sees the new release's packages; pip's
# cache makes the second and later ones quick.
venv_create() {
  local release=$1 venv=$1/venv
  /usr/bin/python3 -m venv "$venv"  # Debian's Python, never one from root's PATH (pyenv...)
  "$venv/bin/python" -c 'import tomllib,sys; print("\n".join(tomllib.load(open(sys.argv[1],"rb"))["project"]["dependencies"]))' \
    "$release/pyproject.toml" >"$venv/requirements.txt"
  # (A machine's pip.conf may name package folders that are not there: not our warning to show.)
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$venv/requirements.txt" 2>&1 \
    | { grep -v "^WARNING: Location '.*' is ignored" || true; }
  "$venv/bin/python" -c "import django, uvicorn, channels_redis, psycopg" \
    || fail "pip could not install the Python packages"
}

# migrate (as huoli) and collectstatic (as root: the files nginx serves are not the workers' to
# change) with a release's code.
release_prepare() {
  local release=$1
  as_huoli "$release" manage.py migrate --no-input -v 0
  run_as root "$release" manage.py collectstatic --no-input -v 0
}

release_switch() {
  ln -sfn "$1" "$PREFIX/current.new" && mv -T "$PREFIX/current.new" "$PREFIX/current"
}

# Keeps the newest releases and the one running; call it after the workers restarted.
releases_prune() {
  local current
  current=$(readlink -f "$PREFIX/current")
  find "$PREFIX/releases" -mindepth 1 -maxdepth 1 -type d | sort | head -n -"$KEEP_RELEASES" \
    | while read -r old; do
      [ "$old" = "$current" ] || rm -rf "$old"
    done
}

worker_ports() { (. "$DEPLOY_CONF"; echo "$HUOLI_WORKER_PORTS"); }

# Waits until the worker on port $1 answers /healthz (without the proxy, on loopback).
wait_healthy() {
  local port=$1 server_name
  server_name=$(. "$DEPLOY_CONF"; echo "$HUOLI_SERVER_NAME")
  for _ in $(seq 1 120); do
    curl -fsS --max-time 2 -H "Host: $server_name" "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  fail "the worker on port $port did not become healthy (journalctl -u huoli@$port, or /var/log/huoli/units/)"
}

# Restarts the workers one at a time, each only after the one before answers again: chats
# reconnect to the other workers and resume (the client resends what was not acknowledged).
workers_restart_one_by_one() {
  for port in $(worker_ports); do
    say "restarting the worker on port $port"
    unit restart "huoli@$port.service"
    wait_healthy "$port"
  done
}
