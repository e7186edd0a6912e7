# Shared by the deploy/local launchers: build a module on first use and run its classes.
# shellcheck shell=bash

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)

# module_classpath DIR ARTIFACT: the module's jar and runtime dependencies, building them once.
module_classpath() {
  local dir="$repo/$1" artifact=$2 jar
  jar=$(ls "$dir"/target/"$artifact"-*.jar 2>/dev/null | grep -v -e '-sources' -e '-tests' | head -n 1 || true)
  if [ -z "$jar" ] || [ ! -d "$dir/target/lib" ]; then
    echo "building $artifact (first run only) ..." >&2
    (cd "$repo" && ./mvnw -q -B -ntp -pl "$1" -am package -DskipTests) >&2
    jar=$(ls "$dir"/target/"$artifact"-*.jar | grep -v -e '-sources' -e '-tests' | head -n 1)
  fi
  echo "$jar:$dir/target/lib/*"
}

java_cmd() {
  if [ -n "${JAVA_HOME:-}" ]; then echo "$JAVA_HOME/bin/java"; else echo java; fi
}
