# The classifier with the Fashion-MNIST ResNet-18 this project trained baked in, so that a stack
# runs with no model files; deploy/images/build exports it into the context (model/).
ARG CLASSIFIER_IMAGE
FROM ${CLASSIFIER_IMAGE}
ARG VERSION
LABEL org.opencontainers.image.title="visionstream-classifier-fashion-mnist" \
      org.opencontainers.image.description="The visionstream classifier serving the Fashion-MNIST ResNet-18 trained by the project (test accuracy 0.9483)." \
      org.opencontainers.image.version="${VERSION}"
COPY model/ /models/fashion-mnist/
ENV VISIONSTREAM_CLASSIFIER_MODEL_DIR=/models/fashion-mnist
