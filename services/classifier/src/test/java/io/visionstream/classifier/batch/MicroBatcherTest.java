package io.visionstream.classifier.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MicroBatcherTest {

  private final AtomicLong now = new AtomicLong();
  private final MicroBatcher<String> batcher = new MicroBatcher<>(3, Duration.ofMillis(50), now::get);

  private CompletableFuture<MicroBatcher.Batch<String>> nextAsync() {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return batcher.next();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  @Test
  void fullBatchIsEmittedWithoutWaiting() throws Exception {
    batcher.add("a");
    batcher.add("b");
    batcher.add("c");
    batcher.add("d");
    MicroBatcher.Batch<String> batch = nextAsync().get(1, TimeUnit.SECONDS);
    assertThat(batch.items()).containsExactly("a", "b", "c");
    assertThat(batcher.depth()).isEqualTo(1);
  }

  @Test
  void partialBatchWaitsUntilItsOldestItemHasWaitedMaxWait() throws Exception {
    batcher.add("a");
    now.addAndGet(Duration.ofMillis(30).toNanos());
    batcher.add("b");
    CompletableFuture<MicroBatcher.Batch<String>> next = nextAsync();
    await().during(Duration.ofMillis(150)).atMost(Duration.ofSeconds(1)).until(() -> !next.isDone());

    now.addAndGet(Duration.ofMillis(20).toNanos());
    batcher.poke();
    MicroBatcher.Batch<String> batch = next.get(1, TimeUnit.SECONDS);
    assertThat(batch.items()).containsExactly("a", "b");
    assertThat(batch.oldestWaitNanos()).isEqualTo(Duration.ofMillis(50).toNanos());
  }

  @Test
  void waitingForTheFirstItemBlocksAndItsArrivalStartsTheClock() throws Exception {
    CompletableFuture<MicroBatcher.Batch<String>> next = nextAsync();
    await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(1)).until(() -> !next.isDone());
    now.set(Duration.ofSeconds(10).toNanos());
    batcher.add("late");
    await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(1)).until(() -> !next.isDone());
    batcher.add("x");
    batcher.add("y");
    assertThat(next.get(1, TimeUnit.SECONDS).items()).containsExactly("late", "x", "y");
  }

  @Test
  void closeReturnsWhatIsQueuedThenEmptyBatches() throws InterruptedException, ExecutionException, TimeoutException {
    batcher.add("a");
    batcher.close();
    assertThat(batcher.next().items()).containsExactly("a");
    assertThat(batcher.next().items()).isEmpty();
    MicroBatcher<String> idle = new MicroBatcher<>(2, Duration.ofSeconds(1), now::get);
    CompletableFuture<List<String>> waiting = CompletableFuture.supplyAsync(() -> {
      try {
        return idle.next().items();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    idle.close();
    assertThat(waiting.get(1, TimeUnit.SECONDS)).isEmpty();
  }
}
