#!/usr/bin/python3
"""Writes visionstream ImageEvents in Avro single-object encoding, from Python.

Needs only Debian's python3-avro (and python3-confluent-kafka to produce to Kafka) plus the
schema files in schemas/src/main/avro; see schemas/README.md for the wire format.

  image_event.py fingerprints
      print the CRC-64-AVRO fingerprint of each record schema, as the Java serdes write it
  image_event.py encode --image cat.jpg --source camera-1 --out event.bin
      write one encoded ImageEvent to a file (e.g. to produce it with kcat -P ... event.bin)
  image_event.py produce --bootstrap 127.0.0.1:9092 --topic image-events --image cat.jpg --source camera-1
      produce one ImageEvent, keyed by source id, and wait for the broker's acknowledgement

Prints the event id it wrote.
"""
import argparse
import datetime
import io
import json
import pathlib
import sys
import time
import uuid

import avro.io
import avro.name
import avro.schema

SCHEMA_DIR = pathlib.Path(__file__).resolve().parents[2] / "src" / "main" / "avro"
# Named types first: the records refer to them by name.
SCHEMA_FILES = ["ContentType", "PredictionStatus", "ModelRef", "ClassScore", "ImageEvent", "Prediction"]
RECORDS = ["ImageEvent", "Prediction"]
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
CONTENT_TYPES = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG"}


def load_schemas(schema_dir=SCHEMA_DIR):
    names = avro.name.Names()
    schemas = {}
    for name in SCHEMA_FILES:
        text = (pathlib.Path(schema_dir) / f"{name}.avsc").read_text()
        schemas[name] = avro.schema.make_avsc_object(json.loads(text), names)
    return schemas


def crc64_avro(data: bytes) -> int:
    """CRC-64-AVRO, the fingerprint of the Avro specification (empty value 0xc15d213aa4d7a795)."""
    empty = 0xC15D213AA4D7A795
    table = []
    for i in range(256):
        fp = i
        for _ in range(8):
            fp = (fp >> 1) ^ (empty & -(fp & 1))
        table.append(fp)
    fp = empty
    for byte in data:
        fp = (fp >> 8) ^ table[(fp ^ byte) & 0xFF]
    return fp


PRIMITIVES = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}


def parsing_canonical_form(schema) -> str:
    """The schema's Parsing Canonical Form as Java's Avro (the reference here) writes it.

    python3-avro 1.11's canonical_form keeps a primitive that had a logicalType as
    {"type":"string"}; the specification's [PRIMITIVES] step and Java reduce it to "string",
    so the fingerprint would differ. Reduce those objects here.
    """
    def reduce(node):
        if isinstance(node, dict):
            if set(node) == {"type"} and node["type"] in PRIMITIVES:
                return node["type"]
            return {key: reduce(value) for key, value in node.items()}
        if isinstance(node, list):
            return [reduce(item) for item in node]
        return node

    return json.dumps(reduce(json.loads(schema.canonical_form)), separators=(",", ":"))


def fingerprint(schema) -> int:
    return crc64_avro(parsing_canonical_form(schema).encode("utf-8"))


def encode(schema, record: dict) -> bytes:
    """C3 01, the 8-byte little-endian fingerprint, then the Avro binary body."""
    body = io.BytesIO()
    avro.io.DatumWriter(schema).write(record, avro.io.BinaryEncoder(body))
    return b"\xc3\x01" + fingerprint(schema).to_bytes(8, "little") + body.getvalue()


def image_event(image_path, source_id, event_id=None, captured_at_ms=None, attributes=None):
    suffix = pathlib.Path(image_path).suffix.lower()
    if suffix not in CONTENT_TYPES:
        raise SystemExit(f"{image_path}: unsupported image type {suffix!r}; use one of {sorted(CONTENT_TYPES)}")
    return {
        "event_id": str(event_id or uuid.uuid4()),
        "source_id": source_id,
        # python3-avro writes timestamp-millis from an aware datetime (milliseconds since the epoch, UTC).
        "captured_at": EPOCH + datetime.timedelta(
            milliseconds=captured_at_ms if captured_at_ms is not None else int(time.time() * 1000)),
        "content_type": CONTENT_TYPES[suffix],
        "image": pathlib.Path(image_path).read_bytes(),
        "attributes": attributes or {},
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("fingerprints")
    for name in ("encode", "produce"):
        p = sub.add_parser(name)
        p.add_argument("--image", required=True, help="JPEG or PNG file")
        p.add_argument("--source", required=True, help="source id (camera, stream or tenant)")
        p.add_argument("--event-id", help="UUID; a random one if omitted")
        p.add_argument("--captured-at-ms", type=int, help="epoch milliseconds; now if omitted")
        p.add_argument("--attribute", action="append", default=[], metavar="KEY=VALUE")
        if name == "encode":
            p.add_argument("--out", required=True, help="file to write the encoded event to")
        else:
            p.add_argument("--bootstrap", required=True, help="bootstrap.servers, e.g. 127.0.0.1:9092")
            p.add_argument("--topic", default="image-events")
    args = parser.parse_args(argv)
    schemas = load_schemas()

    if args.command == "fingerprints":
        for name in RECORDS:
            print(f"{name} {fingerprint(schemas[name]):016x}")
        return 0

    attributes = dict(kv.split("=", 1) for kv in args.attribute)
    record = image_event(args.image, args.source, args.event_id, args.captured_at_ms, attributes)
    payload = encode(schemas["ImageEvent"], record)
    if args.command == "encode":
        pathlib.Path(args.out).write_bytes(payload)
    else:
        from confluent_kafka import Producer

        producer = Producer({"bootstrap.servers": args.bootstrap, "acks": "all"})
        errors = []
        producer.produce(args.topic, key=record["source_id"].encode(), value=payload,
                         on_delivery=lambda err, msg: errors.append(err) if err else None)
        if producer.flush(30) != 0 or errors:
            print(f"delivery to {args.topic} at {args.bootstrap} failed: {errors or 'timed out'}", file=sys.stderr)
            return 1
    print(record["event_id"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
