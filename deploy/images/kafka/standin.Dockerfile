# Stand-in for apache/kafka where no image registry is reachable: the same Apache Kafka release,
# from Maven Central (the local-kafka module's dependency set, which deploy/images/build puts in
# the context as libs/), laid out and configured like the official image: /opt/kafka/bin scripts,
# /etc/kafka/docker/run as the entrypoint, every KAFKA_* environment variable turned into a broker
# property (KAFKA_LISTENERS → listeners; _ → ., __ → _, ___ → -), CLUSTER_ID for the storage format.
ARG BASE_IMAGE=visionstream/jre-standin:17
FROM ${BASE_IMAGE}
ARG VERSION
LABEL org.opencontainers.image.title="visionstream-kafka-standin" \
      org.opencontainers.image.description="Apache Kafka ${VERSION} from Maven Central, configured like the official apache/kafka image." \
      org.opencontainers.image.version="${VERSION}"
RUN useradd --system --uid 1000 --user-group --home-dir /opt/kafka --no-create-home --shell /usr/sbin/nologin appuser \
    && mkdir -p /opt/kafka/config /etc/kafka/docker /var/lib/kafka/data \
    && chown appuser:appuser /opt/kafka/config /var/lib/kafka/data
COPY libs/ /opt/kafka/libs/
COPY bin/ /opt/kafka/bin/
COPY run /etc/kafka/docker/run
COPY logback.xml /opt/kafka/config/logback.xml
ENV PATH=/opt/kafka/bin:$PATH
USER appuser
EXPOSE 9092
HEALTHCHECK --interval=5s --timeout=5s --start-period=30s --retries=6 CMD ["/bin/bash", "-c", \
    "port=$(grep -o 'PLAINTEXT://[^:,]*:[0-9]*' /opt/kafka/config/server.properties | head -n 1 | sed 's/.*://'); exec 3<>/dev/tcp/127.0.0.1/${port:-9092}"]
ENTRYPOINT ["/etc/kafka/docker/run"]
