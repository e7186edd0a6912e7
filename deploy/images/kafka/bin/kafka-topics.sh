#!/bin/bash
# kafka-topics.sh of the stand-in image: Kafka's TopicCommand, as in the official image.
exec java -Dlogback.configurationFile=/opt/kafka/config/logback.xml -cp "/opt/kafka/libs/*" org.apache.kafka.tools.TopicCommand "$@"
