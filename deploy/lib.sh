# Shared by deploy/install and deploy/upgrade (sourced, not run). Paths (docs/deploy.md):
#   /srv/huoli/releases/<time>/  the code of each install or upgrade; /srv/huoli/current -> one
#   /srv/huoli/venv              the Python packages (from pyproject.toml)
#   /srv/huoli/static            collectstatic's files, which nginx serves
#   /var/lib/huoli               keys, backups (HUOLI_VAR_DIR), only for the huoli user
#   /etc/huoli/huoli.env         settings; /etc/huoli/deploy.conf: the server name, workers
#   /var/log/huoli               nginx's error log without addresses (decision 0039)

PREFIX=/srv/huoli
VENV=$PREFIX/venv
STATIC=$PREFIX/static
VAR=/var/lib/huoli
ETC=/etc/huoli
LOGS=/var/log/huoli
ENV_FILE=$ETC/huoli.env
DEPLOY_CONF=$ETC/deploy.conf
SOURCE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KEEP_RELEASES=3

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
    [ "$action" = start ] && systemctl enable --now "$name" || systemctl "$action" "$name"
  else
    service "$name" "$action" >/dev/null
  fi
}

# As the huoli user, with the installed settings, in a release: manage.py and the like.
as_huoli() {
  local release=$1
  shift
  (cd "$release" && runuser -u huoli -- env -i PATH=/usr/bin:/bin LANG=C.UTF-8 \
    bash -c 'set -a; . "$0"; set +a; exec "$@"' "$ENV_FILE" "$VENV/bin/python" "$@")
}

# A new release: the code of this checkout (without its virtualenv, var/, node_modules or .git).
release_new() {
  local release
  release=$PREFIX/releases/$(date -u +%Y%m%dT%H%M%SZ)
  [ -e "$release" ] && release=$release-$$
  mkdir -p "$release"
  tar -C "$SOURCE" --exclude=./.git --exclude=./.venv --exclude=./var --exclude=./node_modules \
    --exclude='*.egg-info' --exclude=__pycache__ --exclude=./.ci -cf - . | tar -C "$release" -xf -
  chown -R root:root "$release"
  chmod -R u=rwX,go=rX "$release"
  echo "$release"
}

# The virtualenv with exactly the packages pyproject.toml asks for (the code itself runs from
# the release, which uvicorn and manage.py find in their working directory).
venv_sync() {
  local release=$1
  # Debian's Python, never another one on root's PATH (pyenv and the like live in root's home,
  # where the huoli user may not go).
  [ -x "$VENV/bin/python" ] || /usr/bin/python3 -m venv "$VENV"
  "$VENV/bin/python" -c 'import tomllib,sys; print("\n".join(tomllib.load(open(sys.argv[1],"rb"))["project"]["dependencies"]))' \
    "$release/pyproject.toml" >"$VENV/requirements.txt"
  # (A machine's pip.conf may name package folders that are not there: not our warning to show.)
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$VENV/requirements.txt" 2>&1 \
    | { grep -v "^WARNING: Location '.*' is ignored" || true; }
  [ "${PIPESTATUS[0]}" -eq 0 ] || fail "pip could not install the Python packages"
}

# migrate and collectstatic with a release's code.
release_prepare() {
  local release=$1
  as_huoli "$release" manage.py migrate --no-input -v 0
  as_huoli "$release" manage.py collectstatic --no-input -v 0
}

release_switch() {
  ln -sfn "$1" "$PREFIX/current.new" && mv -T "$PREFIX/current.new" "$PREFIX/current"
}

releases_prune() {
  local current
  current=$(readlink -f "$PREFIX/current")
  ls -1d "$PREFIX"/releases/* 2>/dev/null | sort | head -n -"$KEEP_RELEASES" | while read -r old; do
    [ "$old" = "$current" ] || rm -rf "$old"
  done
}

worker_ports() { . "$DEPLOY_CONF"; echo "$HUOLI_WORKER_PORTS"; }

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
