# No `# syntax=` line: the builder's own Dockerfile frontend reads this file, so a build fetches no frontend image
# from Docker Hub (CI builds where Docker Hub is out of reach; docs/deployment.md, "The images").
# Images of weave-ml, one Dockerfile, two targets:
#   docker build --target inference -t weave-ml-inference .   gateway, scoring workers, Flower
#   docker build --target trainer   -t weave-ml-trainer   .   beat and the training worker
# Both run the Procfile's commands through deploy/entrypoint.sh, so a container starts exactly what
# `make run` starts: the container's command is the Procfile process name (api, worker, trainer, beat, flower).

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# ---------------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS builder

# A compiler is here only in case a dependency has no wheel for the target platform; it never reaches
# the final images. apt versions are not pinned: the base image's Debian release fixes them, and pinning
# would break the build at every Debian security update.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install --yes --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH
RUN python -m venv /opt/venv

WORKDIR /src
# Only what pip needs to resolve the runtime dependencies: this slow layer stays cached until the lock,
# setup.cfg or the version change, not at every code change.
COPY requirements.lock setup.cfg pyproject.toml ./
COPY weave_ml/__init__.py weave_ml/
# The venv gets the dependencies at the locked versions and not the project itself: the code runs from
# /app as `make run` runs it from the checkout (module paths of the Procfile and the top-level
# beat_schedule.py resolve from the working directory), so there is one copy of it in the image.
# pip's download cache is a BuildKit cache mount: it is kept between builds (a changed lock downloads only what
# changed) and never lands in a layer.
# setup.cfg reads README.md as the long description, which nothing here keeps: an empty one stands in, so an edit
# of the README does not rebuild this layer (it did: two minutes of pip at every documentation change).
RUN --mount=type=cache,target=/root/.cache/pip \
    touch README.md \
    && pip install --constraint requirements.lock . \
    && pip uninstall --yes weave-ml

# ---------------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

# A fixed uid/gid so that files on the shared model volume keep one owner across images and hosts.
ARG APP_UID=10001
RUN groupadd --system --gid "${APP_UID}" weave \
    && useradd --system --uid "${APP_UID}" --gid weave --home-dir /app --shell /usr/sbin/nologin weave

# The app user's home is the read-only /app: matplotlib (imported by the workers for the retrain report) keeps its
# cache in the temporary folder instead of warning at every start.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ML_MODEL_DIR=/app/models \
    API_PORT=8000 \
    FLOWER_PORT=5555 \
    FLOWER_DB=/var/lib/weave-ml/flower.db \
    BEAT_SCHEDULE_FILE=/var/lib/weave-ml/celerybeat-schedule \
    MPLCONFIGDIR=/tmp/matplotlib

COPY --from=builder /opt/venv /opt/venv

WORKDIR /app
# .dockerignore lets only the application in (no tests, no venv, no .env). The code stays owned by root:
# the app user can read it, not change it.
COPY . /app
# The model volume and the state folder (Flower's database, beat's schedule) belong to the app user.
# Docker copies an image folder's owner into a named volume created empty on it, so a fresh ml_models
# volume is writable by the trainer without a chown step at start.
# `weave-ml` is the project's console script (setup.cfg); it runs the CLI from /app like the services.
RUN mkdir -p /app/models /var/lib/weave-ml \
    && chown weave:weave /app/models /var/lib/weave-ml \
    && chmod 0755 /app/deploy/entrypoint.sh \
    && printf '#!/bin/sh\nexec python -m weave_ml.cli "$@"\n' > /usr/local/bin/weave-ml \
    && chmod 0755 /usr/local/bin/weave-ml

# Numeric, so that the runtime can tell it is not root without reading /etc/passwd.
USER ${APP_UID}:${APP_UID}
ENTRYPOINT ["/app/deploy/entrypoint.sh"]

# ---------------------------------------------------------------------------------------------------
FROM runtime AS trainer
# Beat and the training worker (the stack runs beat from this image too, as its own service).
# Liveness only: the worker's main process touches its file every few seconds, broker or not (workers.liveness), so a
# Redis outage does not get a live worker restarted. Readiness, dependencies included, is the gateway's /health.
HEALTHCHECK --interval=60s --timeout=20s --start-period=60s --retries=5 \
    CMD ["sh", "-c", "exec python -m workers.liveness \"training@$HOSTNAME\""]
CMD ["trainer"]

# ---------------------------------------------------------------------------------------------------
# Last, so that a plain `docker build .` gives the gateway image.
FROM runtime AS inference
EXPOSE 8000
# Liveness only: /livez answers while the process does, touching no Redis, so a Redis outage does not get the gateway
# restarted (it answers 503 meanwhile); readiness, dependencies included, is /health.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/livez' % os.environ.get('API_PORT', '8000'), timeout=4)"]
CMD ["api"]
