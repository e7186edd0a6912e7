# A visionstream JVM program (the classifier, the moderation service or the load test): its jar and
# exactly the runtime dependencies the Maven build resolved, which deploy/images/build puts in the
# build context (app.jar, lib/). Non-root, JVM heap sized from the container's memory, a health
# check on the service's liveness endpoint. /var/lib/visionstream is the one writable directory
# meant for a volume (moderation's state stores).
#
# BASE_IMAGE: a JRE 17+ image with bash; the official Temurin JRE by default, the Debian stand-in
# (deploy/images/standin/build) where no registry is reachable, a CUDA 12 + cuDNN 9 runtime with a
# JRE for the GPU build.
ARG BASE_IMAGE=eclipse-temurin:17-jre
FROM ${BASE_IMAGE}

ARG TITLE
ARG DESCRIPTION
ARG VERSION
ARG REVISION=unknown
ARG CREATED=unknown
ARG MAIN_CLASS
ARG HEALTH_PORT=""
ARG HEALTH_PATH=/health/liveness
ARG RAM_PERCENT=60

LABEL org.opencontainers.image.title="${TITLE}" \
      org.opencontainers.image.description="${DESCRIPTION}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.source="https://github.com/visionstream/visionstream" \
      org.opencontainers.image.vendor="visionstream" \
      org.opencontainers.image.base.name="${BASE_IMAGE}" \
      io.visionstream.sbom="/app/sbom.json"

RUN command -v java >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      --no-install-recommends openjdk-17-jre-headless && apt-get clean && rm -rf /var/lib/apt/lists/*; } \
    && useradd --system --uid 10001 --user-group --home-dir /app --no-create-home --shell /usr/sbin/nologin visionstream \
    && mkdir -p /var/lib/visionstream /var/lib/visionstream-kafka \
    && chown 10001:10001 /var/lib/visionstream /var/lib/visionstream-kafka

COPY lib/ /app/lib/
COPY app.jar /app/app.jar
# The module's CycloneDX SBOM, as Maven wrote it (cyclonedx-maven-plugin): its Java dependencies.
COPY sbom.json /app/sbom.json

# Heap as a share of the container's memory limit; the rest is native memory (TensorFlow, RocksDB).
ENV MAIN_CLASS="${MAIN_CLASS}" \
    HEALTH_PORT="${HEALTH_PORT}" \
    HEALTH_PATH="${HEALTH_PATH}" \
    JAVA_OPTS="-XX:MaxRAMPercentage=${RAM_PERCENT} -XX:+ExitOnOutOfMemoryError" \
    TF_CPP_MIN_LOG_LEVEL=1 \
    XDG_CACHE_HOME=/tmp/.cache \
    LANG=C.UTF-8

USER 10001:10001
WORKDIR /app

# Healthy while the liveness endpoint answers 200 on the management port (ENDPOINTS_ALL_PORT) (bash's /dev/tcp: no curl needed in the image).
HEALTHCHECK --interval=10s --timeout=5s --start-period=90s --retries=3 CMD ["/bin/bash", "-c", \
    "port=${ENDPOINTS_ALL_PORT:-$HEALTH_PORT}; [ -z \"$port\" ] && exit 0; exec 3<>/dev/tcp/127.0.0.1/$port && printf 'GET %s HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' \"$HEALTH_PATH\" >&3 && head -n 1 <&3 | grep -q ' 200 '"]

# exec: the JVM is PID 1 and gets SIGTERM itself (the services drain and exit within their timeouts).
ENTRYPOINT ["/bin/bash", "-c", "exec java $JAVA_OPTS -cp '/app/app.jar:/app/lib/*' \"$MAIN_CLASS\" \"$@\"", "visionstream"]
