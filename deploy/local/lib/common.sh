# Shared by the deploy/local launchers. They never change directory, so paths given on their
# command lines are resolved where the user gave them; the repository's own defaults (.local/)
# reach the Java side as -Dvisionstream.home.
# shellcheck shell=bash

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)

# build_module DIR...: Maven builds the modules and the modules they depend on, recompiling only
# what changed since the last build (a few seconds when nothing did). A failed build stops the
# launcher.
build_module() {
  if [ -n "${VISIONSTREAM_SKIP_BUILD:-}" ]; then
    return 0 # a test run by Maven, which has just built the modules
  fi
  local modules
  modules=$(IFS=,; echo "$*")
  for module in "$@"; do
    if [ ! -f "$repo/$module/target/classpath.txt" ]; then
      echo "building $modules (the first time takes a few minutes) ..." >&2
      break
    fi
  done
  if ! (cd "$repo" && MAVEN_OPTS="${MAVEN_OPTS:--XX:TieredStopAtLevel=1 -XX:+UseSerialGC}" \
      ./mvnw -q -B -ntp -pl "$modules" -am package -DskipTests) >&2; then
    echo "$(basename "$0"): building $modules failed; the Maven output above says why" >&2
    exit 1
  fi
}

# module_classpath DIR: the module's classes and exactly the runtime dependencies Maven resolved
# for it in the last build (target/classpath.txt); call build_module first.
module_classpath() {
  echo "$repo/$1/target/classes:$(cat "$repo/$1/target/classpath.txt")"
}

java_cmd() {
  if [ -n "${JAVA_HOME:-}" ]; then echo "$JAVA_HOME/bin/java"; else echo java; fi
}
