# Coalition Bot: a slim image that runs as an unprivileged user; the database lives on a
# volume at /data. Build: docker build -t coalition-bot .   Run: see compose.yaml and
# docs/deploy.md.

# --- build: a virtualenv with the bot and its dependencies (all have wheels: no compiler) ---
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
WORKDIR /app
# Dependencies first, so that a code change does not reinstall them.
COPY pyproject.toml README.md ./
RUN mkdir bot && touch bot/__init__.py \
    && /opt/venv/bin/pip install . \
    && /opt/venv/bin/pip uninstall --yes coalition-bot \
    && rm -rf bot
COPY bot ./bot
COPY migrations ./migrations
# Editable: the bot finds migrations/ next to its package, in /app.
RUN /opt/venv/bin/pip install --no-deps -e . \
    && /opt/venv/bin/python -m compileall -q /app/bot

# --- run --------------------------------------------------------------------------------
FROM python:3.11-slim-bookworm
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DATABASE_PATH=/data/coalition.db \
    MPLCONFIGDIR=/tmp/matplotlib
RUN groupadd --system --gid 10001 coalition \
    && useradd --system --uid 10001 --gid coalition --home-dir /nonexistent \
        --no-create-home --shell /usr/sbin/nologin coalition \
    && install -d -o coalition -g coalition -m 0700 /data
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
WORKDIR /app
USER 10001:10001
VOLUME ["/data"]
# Webhook mode only (WEBHOOK_URL set, WEBHOOK_LISTEN=0.0.0.0): the port behind the proxy.
EXPOSE 8443
# SIGTERM (docker stop) ends the bot cleanly: the outbox stops, the database is closed.
STOPSIGNAL SIGTERM
ENTRYPOINT ["coalition-bot"]
CMD ["run"]
