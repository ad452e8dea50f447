# Bridgebot: the production image (docs/OPERATIONS.md). `docker compose up` runs it with PostgreSQL.
FROM python:3.11-slim

# tzdata: the operating system's zone files for the container's own clock and log times (the bot
#   itself computes every local time from the pinned `tzdata` Python package, README "Time zones").
# fonts-noto-cjk: report charts (bot/reports/chart.py, matplotlib) draw with DejaVu Sans, which
#   matplotlib ships and which covers Latin, Cyrillic, Greek, Armenian, Georgian, Hebrew and Arabic
#   (shaped and reordered by arabic-reshaper and python-bidi, no system library needed); Korean and
#   Chinese labels need Noto Sans CJK, named as the fallback in docker/matplotlibrc.
RUN apt-get update \
    && apt-get install -y --no-install-recommends tzdata fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MATPLOTLIBRC=/app/docker/matplotlibrc \
    MPLCONFIGDIR=/tmp/matplotlib

# The catalogs (locales/) and migrations/ are read from beside the package, so the source tree is
# installed where it lies (editable), dependencies first for a cached layer.
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY locales ./locales
COPY migrations ./migrations
COPY docker ./docker
RUN pip install -e '.[postgres]' \
    && python docker/prune_data.py \
    && python -m compileall -q bot \
    && useradd --system --uid 10001 --create-home --home-dir /home/bridgebot bridgebot \
    && mkdir /data && chown bridgebot /data

USER bridgebot
# Without DATABASE_URL (`docker run` with a volume on /data) the SQLite file is /data/bridgebot.db;
# compose.yaml uses PostgreSQL.
WORKDIR /data
# The HTTP listener (/healthz, /readyz, /metrics) on every interface of the container; Telegram is
# long-polled, so nothing else listens. Logs are JSON lines on stderr.
ENV BRIDGEBOT_HTTP_LISTEN=0.0.0.0:8080 \
    BRIDGEBOT_LOG_FORMAT=json \
    BRIDGEBOT_PRODUCTION=true
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4)"]
STOPSIGNAL SIGTERM
CMD ["bridgebot", "run"]
