package io.visionstream.classifier.fault;

import io.visionstream.model.preprocess.ImageRejectedException;
import io.visionstream.schemas.serde.InvalidPayloadException;

/**
 * Which failures are the record's and which the system's, decided here for every stage.
 *
 * <ul>
 *   <li>Record faults, which the record would cause on every machine: the value is not a readable
 *       ImageEvent ({@link InvalidPayloadException}), the image is rejected (unsupported format,
 *       too many pixels, undecodable: {@link ImageRejectedException}), the record is too large,
 *       and a record the model fails on alone while other inputs succeed (decided by
 *       {@code InferenceWorker}'s bisection). They go to the dead-letter topic.
 *   <li>System faults, everything else: the model, session or device failing, the preprocessor
 *       failing as a whole, broker, producer and transaction errors, a missing topic. They are
 *       never dead-lettered or committed past; the stage retries with backoff until
 *       {@code faults.give-up-after}, then the pipeline fails.
 *   <li>Errors ({@link Error}: out of memory, a native crash surfacing as one) fail the pipeline at
 *       once, through the supervisor.
 * </ul>
 */
public final class FaultPolicy {

  private FaultPolicy() {}

  /** True when {@code failure} is the record's own: it would fail the same way anywhere, any time. */
  public static boolean isRecordFault(Throwable failure) {
    return failure instanceof InvalidPayloadException || failure instanceof ImageRejectedException;
  }
}
