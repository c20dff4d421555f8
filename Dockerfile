# syntax=docker/dockerfile:1
# Sesame: one image for every service. The command chooses what runs:
#   docker run IMAGE                          embedded mode (all four apps, SQLite, in-process bus)
#   docker run IMAGE migrate                  apply the database migrations (one-shot)
#   docker run IMAGE serve gateway --port 8080  one service of the distributed mode
# Every container listens on 8080 (SESAME_PORT) so probes and health checks are the same everywhere.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# ---- builder: wheels for Sesame and its pinned dependencies (constraints.txt) ----
FROM ${PYTHON_IMAGE} AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
# Compilers only for a dependency without a wheel for this platform; they never reach the final stage.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first (from pyproject's ranges, pinned by constraints.txt): cached until either file changes.
COPY pyproject.toml constraints.txt ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > requirements.txt \
 && pip wheel --wheel-dir /wheels -c constraints.txt -r requirements.txt
COPY sesame ./sesame
COPY shared ./shared
COPY services ./services
RUN pip wheel --wheel-dir /wheels --no-deps . \
 && ls /wheels/sesame-*.whl

# ---- final: the runtime only, no build tools, non-root ----
FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="sesame" \
      org.opencontainers.image.description="Email through your own Amazon SES account" \
      org.opencontainers.image.source="https://github.com/sesame/sesame"
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SESAME_HOST=0.0.0.0 \
    SESAME_PORT=8080 \
    SESAME_DATABASE_URL=sqlite+aiosqlite:////data/sesame.db
RUN groupadd --system --gid 10001 sesame \
 && useradd --system --uid 10001 --gid sesame --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin sesame \
 && mkdir -p /data \
 && chown sesame:sesame /data
# The wheels are bind-mounted from the builder, so they never become a layer of this image.
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    python -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-cache-dir --no-index --find-links=/wheels /wheels/sesame-*.whl \
 && /opt/venv/bin/sesame --help > /dev/null
WORKDIR /data
VOLUME ["/data"]
USER 10001:10001
EXPOSE 8080
# No curl in the image: the health check is the same Python that runs Sesame.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('SESAME_PORT', '8080'), timeout=4)"]
ENTRYPOINT ["sesame"]
CMD ["run"]
