package io.visionstream.classifier;

import io.micronaut.runtime.Micronaut;

/** Runs the classifier service; configuration in application.yml, environment variables and system properties. */
public final class ClassifierApplication {

  private ClassifierApplication() {}

  public static void main(String[] args) {
    Micronaut.build(args).mainClass(ClassifierApplication.class).start();
  }
}
