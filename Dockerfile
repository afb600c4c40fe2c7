# One image for `alertrelay run` and `alertrelay worker` (compose.yaml picks the command).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 ALERTRELAY_DATA_DIR=/data
WORKDIR /app
# README.md: pyproject names it as the readme, so the build needs it
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY workers ./workers
COPY config ./config
RUN pip install --no-cache-dir . && useradd --system --home /data relay && mkdir -p /data && chown relay /data
USER relay
CMD ["alertrelay", "run"]
