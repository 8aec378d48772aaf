# promptbot: the Discord bot, as a container.
#
#   docker build -t promptbot .
#   docker run --rm --env-file .env -v promptbot-data:/data promptbot          # `promptbot run`
#   docker run --rm --env-file .env promptbot sync --guild 123456789012345678  # any other subcommand
#
# docker-compose.yml in this folder does the same with the library mounted read-only.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# An unprivileged user with a fixed uid/gid, so a host folder can be chown'ed to match (10001).
RUN groupadd --system --gid 10001 promptbot \
 && useradd --system --uid 10001 --gid promptbot --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin promptbot

WORKDIR /src

# Dependency layer: only the lock is copied, so editing the source does not reinstall the
# dependencies: the exact runtime versions the test suite passed with (requirements.lock,
# made by pip-compile from pyproject.toml).
COPY requirements.lock ./
RUN pip install -r requirements.lock

# Source layer. README.md is referenced by pyproject (`readme`); the glob keeps the build
# working if it is missing.
COPY pyproject.toml README.md* ./
COPY bot ./bot
COPY cogs ./cogs
RUN pip install --no-deps . \
 && rm -rf /src/build /src/*.egg-info

# The bundled prompt library, so the image runs with nothing mounted.
WORKDIR /app
COPY seeds ./seeds

# The index and the member data live on a volume owned by the bot's user (a new named volume
# copies this ownership; a bind-mounted host folder does not: chown it to 10001:10001).
RUN mkdir -p /data && chown promptbot:promptbot /data
VOLUME ["/data"]

# The seeds are also a site root: their previews (/media/...) are attached from /app/seeds/media.
# For a gallery, point PROMPTBOT_MEDIA_DIR at the mounted site root (see docker-compose.yml).
ENV PROMPTBOT_LIBRARY=/app/seeds \
    PROMPTBOT_MEDIA_DIR=/app/seeds \
    PROMPTBOT_DB=/data/promptbot.sqlite3 \
    PROMPTBOT_STATE=/data/state.sqlite3

# Numeric, so runtimes that enforce runAsNonRoot can verify it without reading /etc/passwd.
USER 10001:10001

# `docker stop` sends SIGTERM, which the bot handles by closing its gateway connection cleanly.
# No HEALTHCHECK: the bot serves no port and writes no heartbeat, so there is nothing
# meaningful to probe; `restart: unless-stopped` covers a crashed process.
ENTRYPOINT ["promptbot"]
CMD ["run"]
