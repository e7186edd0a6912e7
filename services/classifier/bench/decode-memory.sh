#!/usr/bin/env bash
# Decode-memory soak: near-max-pixels images through the classifier service, peak RSS next to the
# in-flight byte budget. Starts its own broker (127.0.0.1:19093), builds a seeded ResNet-18, sends
# COUNT events whose image is a WIDTH×HEIGHT PNG or JPEG (smooth content: a few MB encoded, under
# max-record-bytes; ~40 M pixels decoded, under max-pixels), samples the classifier's RSS every
# 0.2 s until every event has its prediction, and prints one summary line.
#
#   services/classifier/bench/decode-memory.sh                 # this checkout's classifier
#   FORMAT=jpeg MODE=fast services/classifier/bench/decode-memory.sh
#                                                              # baseline JPEGs, decoded at a DCT scale
#   FORMAT=progressive-jpeg MODE=exact services/classifier/bench/decode-memory.sh
#   CLASSIFIER_CP="$(cat /other/checkout/services/classifier/target/classpath.txt):/other/checkout/services/classifier/target/classes" \
#     services/classifier/bench/decode-memory.sh                 # another build
#
# Needs python3 with PIL, python3-avro and python3-confluent-kafka (Debian packages).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
count=${COUNT:-24}
width=${WIDTH:-6300}
height=${HEIGHT:-6300}
format=${FORMAT:-png}
mode=${MODE:-exact}
case "$format" in
  png) suffix=png ;;
  jpeg|progressive-jpeg) suffix=jpg ;;
  *) echo "FORMAT must be png, jpeg or progressive-jpeg (got $format)" >&2; exit 2 ;;
esac
case "$mode" in
  exact|fast) ;;
  *) echo "MODE must be exact or fast (got $mode)" >&2; exit 2 ;;
esac
port=19093
work=$(mktemp -d /tmp/decode-memory.XXXXXX)
trap '[ -n "${classifier:-}" ] && kill "$classifier" 2>/dev/null; "$repo/deploy/local/kafka-broker" stop --data-dir "$work/kafka" >/dev/null 2>&1 || true' EXIT

"$repo/deploy/local/kafka-broker" start --data-dir "$work/kafka" --port $port --topic bench-images:1 \
  --topic bench-predictions:1 --topic bench-dlq:1 --set message.max.bytes=10485760 >/dev/null
"$repo/deploy/local/visionstream-model" build --arch resnet18 --seed 1 --classes 10 --labels <(seq 0 9) \
  --out "$work/model" >/dev/null 2>&1

image="$work/image.$suffix"
/usr/bin/python3 - "$image" "$width" "$height" "$format" <<'PY'
import sys
from PIL import Image
w, h, format = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
# a smooth gradient: tens of millions of pixels that encode to a few megabytes
row = Image.linear_gradient("L").resize((w, 1))
image = Image.merge("RGB", (row.resize((w, h)), row.resize((w, h)).transpose(Image.Transpose.ROTATE_180),
                            Image.new("L", (w, h), 128)))
if format == "png":
    image.save(sys.argv[1], optimize=False, compress_level=9)
else:
    image.save(sys.argv[1], quality=90, subsampling="4:2:0", progressive=format == "progressive-jpeg")
PY
echo "image: ${width}x${height} $format, $(stat -c %s "$image") bytes, $mode preprocessing" >&2

budget=$((256 << 20))
props=(-Dmicronaut.server.port=18083 -Dendpoints.all.port=18083 -Dvisionstream.kafka.bootstrap-servers=127.0.0.1:$port
  -Dvisionstream.classifier.model.dir="$work/model" -Dvisionstream.classifier.topics.input=bench-images
  -Dvisionstream.classifier.topics.predictions=bench-predictions -Dvisionstream.classifier.topics.dead-letters=bench-dlq
  -Dvisionstream.classifier.delivery.group-id=bench-$$ -Dvisionstream.classifier.backpressure.max-in-flight-bytes=$budget
  -Dvisionstream.classifier.model.preprocessing-mode=$mode)
if [ -n "${CLASSIFIER_CP:-}" ]; then
  java -Xmx1g "${props[@]}" -cp "$CLASSIFIER_CP" io.visionstream.classifier.ClassifierApplication >"$work/classifier.log" 2>&1 &
else
  VISIONSTREAM_JAVA_OPTS="-Xmx1g ${props[*]}" "$repo/deploy/local/classifier" >"$work/classifier.log" 2>&1 &
fi
classifier=$!
until curl -sf -o /dev/null http://127.0.0.1:18083/health/liveness; do sleep 0.5; done
pid=$(pgrep -f -n "micronaut.server.port=18083.*ClassifierApplication")
sleep 2
idle=$(ps -o rss= -p "$pid")
# The kernel's peak-RSS mark (VmHWM), reset here, catches peaks shorter than the 0.2 s samples
# (an image decoded at 1/8 is gone within milliseconds); without the reset, samples only.
echo 5 2>/dev/null >"/proc/$pid/clear_refs" && hwm=yes || hwm=no

/usr/bin/python3 - "$repo" "$image" "$count" $port <<'PY'
import sys
sys.path.insert(0, sys.argv[1] + "/schemas/examples/python")
import image_event
from confluent_kafka import Producer
schemas = image_event.load_schemas()
producer = Producer({"bootstrap.servers": "127.0.0.1:" + sys.argv[4], "message.max.bytes": 10485760})
for i in range(int(sys.argv[3])):
    record = image_event.image_event(sys.argv[2], "soak-%d" % (i % 4))
    value = image_event.encode(schemas["ImageEvent"], record)
    producer.produce("bench-images", key=record["source_id"].encode(), value=value)
producer.flush(60)
PY

peak=$idle
start=$(date +%s)
while :; do
  rss=$(ps -o rss= -p "$pid" || echo 0)
  [ "$rss" -gt "$peak" ] && peak=$rss
  done_count=$(curl -s http://127.0.0.1:18083/prometheus | awk '/^visionstream_classifier_outcomes_total/ {s += $2} END {print int(s)}')
  [ "${done_count:-0}" -ge "$count" ] && break
  [ $(( $(date +%s) - start )) -gt 900 ] && { echo "timed out after 900 s with $done_count of $count" >&2; exit 1; }
  sleep 0.2
done
if [ "$hwm" = yes ]; then
  mark=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")
  [ "$mark" -gt "$peak" ] && peak=$mark
fi
echo "images=$count size=${width}x${height} format=$format mode=$mode budget_mib=$((budget >> 20)) idle_rss_mib=$((idle / 1024)) peak_rss_mib=$((peak / 1024)) peak_from=$([ "$hwm" = yes ] && echo VmHWM || echo samples) seconds=$(( $(date +%s) - start ))"
