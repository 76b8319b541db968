# syntax=docker/dockerfile:1
#
# One image for every process of the bot; the command picks the role:
#   npm run webhook                        (default) Telegram updates in, workflows started
#   npm run worker -- --queue downloads    yt-dlp downloads (+ sends/cleans up its own files)
#   npm run worker -- --queue telegram     Bot API calls
# See docker-compose.yml for a complete stack. The TypeScript runs through tsx (a production
# dependency), so there is no build step; the download engine runs in the yt-dlp venv's Python
# (YTDLP_PYTHON), ffmpeg and ffprobe are on PATH.

# Node 22: the oldest Node that current yt-dlp runs as its JavaScript runtime (20 is ignored).
ARG NODE_IMAGE=node:22-bookworm-slim

# --- npm packages, production only --------------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# --- yt-dlp from PyPI (the current release: sites change faster than Debian's package) -----------
# Installed into a venv that the runtime stage copies; both stages share the same python3.
FROM ${NODE_IMAGE} AS ytdlp
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv \
 && rm -rf /var/lib/apt/lists/*
# [default] brings yt-dlp's recommended extras, among them yt-dlp-ejs (YouTube's JS challenges).
RUN python3 -m venv /opt/yt-dlp \
 && /opt/yt-dlp/bin/pip install --no-cache-dir --disable-pip-version-check --upgrade "yt-dlp[default]" \
 && /opt/yt-dlp/bin/pip install --no-cache-dir --disable-pip-version-check "gallery-dl==1.32.18"

# --- runtime -----------------------------------------------------------------------------------
FROM ${NODE_IMAGE}
# ffmpeg (with ffprobe) from Debian; python3 runs the yt-dlp venv; tini forwards stop signals so
# the workers shut down gracefully instead of being killed after the grace period.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg python3 ca-certificates tini \
 && rm -rf /var/lib/apt/lists/*
COPY --from=ytdlp /opt/yt-dlp /opt/yt-dlp
# yt-dlp needs a JavaScript runtime for some sites (YouTube). There is no Deno here, so the workers
# give the engine the Node that runs them (`js_runtimes: {node: {path}}`; src/tools.ts
# chooseJsRuntime). The build fails unless the venv's Python imports yt_dlp (the engine embeds it),
# and yt-dlp accepts this Node (it marks an older one "unsupported") and finds yt-dlp-ejs.
RUN ln -s /opt/yt-dlp/bin/yt-dlp /usr/local/bin/yt-dlp \
 && /opt/yt-dlp/bin/python -c 'import yt_dlp' \
 && /opt/yt-dlp/bin/python -c 'import gallery_dl' \
 && yt-dlp --version && ffmpeg -version >/dev/null && ffprobe -version >/dev/null \
 && header="$(yt-dlp --verbose --ignore-config --js-runtimes "node:$(command -v node)" 2>&1 || true)" \
 && printf '%s\n' "$header" | grep -Eq '^\[debug\] JS runtimes: node-[0-9.]+$' \
 && printf '%s\n' "$header" | grep -Eq '^\[debug\] Optional libraries: .*\byt_dlp_ejs-[0-9]'

WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY . .

# Downloads live here while a workflow sends them; owned by the unprivileged user, and a volume so
# they never land in the container's writable layer.
RUN mkdir -p /data && chown node:node /data
ENV NODE_ENV=production \
    DATA_DIR=/data \
    YTDLP_PYTHON=/opt/yt-dlp/bin/python \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false
VOLUME ["/data"]

# The node image's unprivileged user; the code stays root-owned and read-only to it.
USER node
EXPOSE 3000
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["npm", "run", "webhook"]
