package io.visionstream.classifier.source;

/**
 * Counts records and bytes taken from Kafka and not yet finished. The poll thread asks before
 * taking each record; whoever finishes a record gives its share back. Thread-safe.
 *
 * <p>A record is admitted when it fits under both limits, or when nothing at all is in flight, so
 * that a single record larger than the byte budget is still processed (alone) rather than stalling
 * its partition forever.
 */
public final class InFlightBudget {

  private final long maxRecords;
  private final long maxBytes;
  private final double resumeRatio;
  private long records;
  private long bytes;
  private long peakRecords;
  private long peakBytes;

  public InFlightBudget(long maxRecords, long maxBytes, double resumeRatio) {
    this.maxRecords = maxRecords;
    this.maxBytes = maxBytes;
    this.resumeRatio = resumeRatio;
  }

  /** Takes a record of {@code size} bytes if it fits; {@code false} means pause. */
  public synchronized boolean tryAcquire(long size) {
    boolean fits = records + 1 <= maxRecords && bytes + size <= maxBytes;
    if (!fits && records > 0) {
      return false;
    }
    records++;
    bytes += size;
    peakRecords = Math.max(peakRecords, records);
    peakBytes = Math.max(peakBytes, bytes);
    return true;
  }

  public synchronized void release(long size) {
    records--;
    bytes -= size;
    if (records < 0 || bytes < 0) {
      throw new IllegalStateException("in-flight budget released more than it gave: " + records + " records, " + bytes + " bytes");
    }
  }

  /** Gives back bytes of a record that stays in flight (its decode memory, once decoded). */
  public synchronized void releaseBytes(long size) {
    bytes -= size;
    if (bytes < 0) {
      throw new IllegalStateException("in-flight budget released more bytes than it gave: " + bytes);
    }
  }

  /** True when in-flight work is at or below the resume share of both limits. */
  public synchronized boolean belowResumeMark() {
    return records <= maxRecords * resumeRatio && bytes <= maxBytes * resumeRatio;
  }

  public synchronized long records() {
    return records;
  }

  public synchronized long bytes() {
    return bytes;
  }

  /** Most records in flight at once since start. */
  public synchronized long peakRecords() {
    return peakRecords;
  }

  /** Most bytes in flight at once since start. */
  public synchronized long peakBytes() {
    return peakBytes;
  }
}
