# The bot as a container image: a build stage installs the locked dependencies (checked against
# their hashes) into a virtual environment, and the final stage holds only that and the FAQ.
#   docker build -t azabot .        (or: docker compose up -d, see compose.yaml and the README)
# Settings come from the environment (compose's env_file: .env); the database is on /data and the
# FAQ on /faq, both volumes, so neither is lost when the image is replaced by a newer one.

FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY requirements.lock ./
RUN python -m venv /opt/venv \
    && /opt/venv/bin/python -m pip install --require-hashes -r requirements.lock
COPY pyproject.toml README.md LICENSE ./
COPY bot ./bot
# setuptools comes from the lock file, so the build fetches nothing unchecked.
RUN /opt/venv/bin/python -m pip install --no-deps --no-build-isolation .

FROM python:3.11-slim-bookworm
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DATABASE_PATH=/data/azabot.sqlite3 \
    FAQ_DIR=/faq
RUN groupadd --system --gid 10001 azabot \
    && useradd --system --no-log-init --uid 10001 --gid azabot --home-dir /data --shell /usr/sbin/nologin azabot \
    && mkdir /data \
    && chown azabot:azabot /data
COPY --from=build /opt/venv /opt/venv
# The shipped FAQ seeds the /faq volume the first time; after that the volume's copy is the one used.
COPY --chown=azabot:azabot faq /faq
WORKDIR /data
USER 10001:10001
VOLUME ["/data", "/faq"]
# Healthy while the bot holds its database open at the expected schema (a cheap local check).
HEALTHCHECK --interval=60s --timeout=10s --start-period=90s --retries=3 CMD ["azabot", "health"]
ENTRYPOINT ["azabot"]
CMD ["run"]
