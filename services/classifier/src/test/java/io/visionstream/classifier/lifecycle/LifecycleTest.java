package io.visionstream.classifier.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LifecycleTest {

  static final List<State[]> LEGAL = List.of(
      new State[] {State.CREATED, State.STARTING}, new State[] {State.CREATED, State.CLOSED},
      new State[] {State.STARTING, State.RUNNING}, new State[] {State.STARTING, State.DRAINING},
      new State[] {State.RUNNING, State.RETRYING}, new State[] {State.RUNNING, State.DRAINING},
      new State[] {State.RETRYING, State.RUNNING}, new State[] {State.RETRYING, State.DRAINING},
      new State[] {State.DRAINING, State.CLOSED});

  /** A lifecycle brought to {@code target} along legal transitions. */
  static Lifecycle at(State target) {
    Lifecycle lifecycle = new Lifecycle();
    List<State> path = switch (target) {
      case CREATED -> List.of();
      case STARTING -> List.of(State.STARTING);
      case RUNNING -> List.of(State.STARTING, State.RUNNING);
      case RETRYING -> List.of(State.STARTING, State.RUNNING, State.RETRYING);
      case DRAINING -> List.of(State.STARTING, State.RUNNING, State.DRAINING);
      case CLOSED -> List.of(State.CLOSED);
      case FAILED -> List.of();
    };
    path.forEach(s -> assertThat(lifecycle.moveTo(s)).isTrue());
    if (target == State.FAILED) {
      lifecycle.fail(new IllegalStateException("test"));
    }
    assertThat(lifecycle.state()).isEqualTo(target);
    return lifecycle;
  }

  @ParameterizedTest
  @EnumSource(State.class)
  void everyTransitionNotInTheTableIsRefusedAndChangesNothing(State from) {
    for (State to : EnumSet.complementOf(EnumSet.of(State.FAILED))) {
      boolean legal = LEGAL.stream().anyMatch(t -> t[0] == from && t[1] == to);
      Lifecycle lifecycle = at(from);
      assertThat(lifecycle.moveTo(to)).as("%s -> %s", from, to).isEqualTo(legal);
      assertThat(lifecycle.state()).isEqualTo(legal ? to : from);
    }
  }

  @ParameterizedTest
  @EnumSource(State.class)
  void anyStateButAFinalOneCanFailAndTheFirstCauseIsKept(State from) {
    Lifecycle lifecycle = at(from);
    Throwable cause = new IllegalStateException("model gone");
    boolean failed = lifecycle.fail(cause);
    assertThat(failed).isEqualTo(!from.isFinal());
    if (from != State.CLOSED) {
      assertThat(lifecycle.state()).isEqualTo(State.FAILED);
    } else {
      assertThat(lifecycle.state()).as("FAILED never overwrites CLOSED").isEqualTo(State.CLOSED);
    }
    assertThat(lifecycle.fail(new RuntimeException("later"))).isFalse();
    if (failed) {
      assertThat(lifecycle.failure()).isSameAs(cause);
    }
  }

  @Test
  void failingRunsTheFailureActionsOnceAndEndsTheWait() throws Exception {
    Lifecycle lifecycle = at(State.RUNNING);
    AtomicInteger stopped = new AtomicInteger();
    lifecycle.onFailure(stopped::incrementAndGet);
    assertThat(lifecycle.awaitEnd(Duration.ofMillis(10))).isFalse();
    lifecycle.fail(new RuntimeException("x"));
    lifecycle.fail(new RuntimeException("y"));
    assertThat(stopped).hasValue(1);
    assertThat(lifecycle.awaitEnd(Duration.ofMillis(10))).isTrue();
    assertThatThrownBy(() -> lifecycle.moveTo(State.FAILED)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void stateQueriesMatchTheTable() {
    Set<State> finals = EnumSet.noneOf(State.class);
    List<State> stopping = new ArrayList<>();
    for (State s : State.values()) {
      if (s.isFinal()) {
        finals.add(s);
      }
      if (s.isStopping()) {
        stopping.add(s);
      }
    }
    assertThat(finals).containsExactlyInAnyOrder(State.CLOSED, State.FAILED);
    assertThat(stopping).containsExactlyInAnyOrder(State.DRAINING, State.CLOSED, State.FAILED);
  }
}
