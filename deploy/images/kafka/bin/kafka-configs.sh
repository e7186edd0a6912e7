#!/bin/bash
# kafka-configs.sh of the stand-in image: Kafka's ConfigCommand, as in the official image.
exec java -Dlogback.configurationFile=/opt/kafka/config/logback.xml -cp "/opt/kafka/libs/*" kafka.admin.ConfigCommand "$@"
