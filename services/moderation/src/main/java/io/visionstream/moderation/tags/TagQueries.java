package io.visionstream.moderation.tags;

import io.micronaut.configuration.kafka.streams.ConfiguredStreamBuilder;
import io.micronaut.json.JsonMapper;
import io.visionstream.moderation.StreamsFactory;
import io.visionstream.moderation.config.TaggingConfig;
import io.visionstream.moderation.topology.TaggingTopology;
import io.visionstream.schemas.CameraTags;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;

/**
 * Tag queries across instances: Kafka Streams' metadata says which instance's store holds a
 * source (the active host of its partition); that instance answers from its window store, any
 * other forwards the query to it over HTTP.
 */
@Singleton
public class TagQueries {

  /** Thrown when the store cannot answer yet (rebalancing, starting) or the owning instance is unreachable. */
  public static final class Unavailable extends RuntimeException {
    Unavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final KafkaStreams streams;
  private final TaggingConfig config;
  private final JsonMapper json;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final HostInfo self;
  private final QueryToken token;

  public TagQueries(@Named(StreamsFactory.TAGGING) KafkaStreams streams,
      @Named(StreamsFactory.TAGGING) ConfiguredStreamBuilder builder, TaggingConfig config, JsonMapper json,
      QueryToken token) {
    this.token = token;
    this.streams = streams;
    String server = builder.getConfiguration().getProperty(StreamsConfig.APPLICATION_SERVER_CONFIG);
    this.self = server == null || server.isBlank() ? null : HostInfo.buildFromEndpoint(server);
    this.config = config;
    this.json = json;
  }

  /**
   * @param limit newest windows to return, or 0 for the configured default
   * @param localOnly answer from this instance's store without forwarding (used by the forwarding instance)
   */
  public TagWindows query(String sourceId, int limit, boolean localOnly) {
    int n = limit > 0 ? limit : config.windowsServed();
    KeyQueryMetadata owner = streams.queryMetadataForKey(TaggingTopology.TAGS_STORE, sourceId, Serdes.String().serializer());
    if (owner == null || owner == KeyQueryMetadata.NOT_AVAILABLE) {
      throw new Unavailable("the tag store is not available on this instance yet (state " + streams.state() + ")", null);
    }
    HostInfo active = owner.activeHost();
    if (localOnly || self == null || active.equals(self)) {
      return local(sourceId, n, self);
    }
    return forward(active, sourceId, n);
  }

  private TagWindows local(String sourceId, int n, HostInfo self) {
    ReadOnlyWindowStore<String, CameraTags> store;
    try {
      store = streams.store(StoreQueryParameters.fromNameAndType(TaggingTopology.TAGS_STORE,
          QueryableStoreTypes.<String, CameraTags>windowStore()));
    } catch (RuntimeException e) {
      throw new Unavailable("the tag store cannot be queried yet: " + e.getMessage(), e);
    }
    List<TagWindows.Window> windows = new ArrayList<>();
    try (KeyValueIterator<Windowed<String>, CameraTags> it = store.backwardFetch(sourceId, sourceId, Instant.EPOCH,
        Instant.ofEpochMilli(Long.MAX_VALUE / 2))) {
      while (it.hasNext() && windows.size() < n) {
        var entry = it.next();
        CameraTags tags = TaggingTopology.withWindow(entry.value, entry.key.window());
        windows.add(new TagWindows.Window(tags.getWindowStart().toString(), tags.getWindowEnd().toString(),
            tags.getFramesSeen(), new TreeMap<>(tags.getLabelCounts())));
      }
    }
    return new TagWindows(sourceId, self == null ? "this instance" : self.host() + ":" + self.port(), windows);
  }

  private TagWindows forward(HostInfo active, String sourceId, int n) {
    URI uri = URI.create("http://" + active.host() + ":" + active.port() + "/tags/"
        + URLEncoder.encode(sourceId, StandardCharsets.UTF_8).replace("+", "%20") + "?limit=" + n + "&local=true");
    try {
      HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET();
      token.header().ifPresent(h -> request.header("Authorization", h));
      HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      if (response.statusCode() != 200) {
        throw new Unavailable("instance " + active + " holding source " + sourceId + " answered HTTP " + response.statusCode(), null);
      }
      return json.readValue(response.body(), TagWindows.class);
    } catch (IOException e) {
      throw new Unavailable("instance " + active + " holding source " + sourceId + " is unreachable: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Unavailable("interrupted while asking " + active, e);
    }
  }
}
