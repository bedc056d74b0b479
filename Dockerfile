# The bot's image. compose.yaml runs it in HTTP mode (profile http) or Socket Mode (profile
# socket); on its own it upgrades the schema and serves HTTP on port 3000.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DATABASE_URL=sqlite:////data/onboardbot.db

RUN useradd --create-home --uid 10001 onboardbot \
    && mkdir /data && chown onboardbot /data

WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
# Only the product's packages: slack_sandbox (the local Slack of the demo and the tests) stays
# out of the image, and .dockerignore keeps it out of the build context too.
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
COPY schedules ./schedules
RUN pip install .

USER onboardbot
VOLUME ["/data"]
EXPOSE 3000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=4).status == 200 else 1)"

CMD ["sh", "-c", "onboardbot db upgrade && exec onboardbot run --mode http --host 0.0.0.0 --port 3000"]
