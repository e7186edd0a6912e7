# Stand-in for eclipse-temurin:17-jre where no image registry is reachable: Debian bookworm
# (imported by deploy/images/standin/build with mmdebstrap) with Debian's OpenJDK 17 JRE.
ARG DEBIAN_IMAGE=local/debian:bookworm
FROM ${DEBIAN_IMAGE}
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      openjdk-17-jre-headless bash procps && apt-get clean && rm -rf /var/lib/apt/lists/*
