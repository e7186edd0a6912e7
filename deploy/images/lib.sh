# Shared by deploy/images/build and deploy/images/standin/build (sourced).

# docker build on the host network, quiet; the legacy builder's deprecation notice (Debian's
# docker.io has no buildx) is dropped, every other message kept.
build() {
  docker build --quiet --network host "$@" > /dev/null 2> >(grep -v -e 'DEPRECATED: The legacy builder' -e 'Install the buildx' \
    -e 'docs.docker.com/go/buildx' -e '^ *$' >&2)
}
