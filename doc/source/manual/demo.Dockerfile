# The Dockerfile of the two demo images the manual's examples read
# (written by doc/source/_ext/atmo_demo_images.py as this build would make them).

# build compiles the tool
FROM docker.io/library/debian:bookworm-slim AS build
RUN apt-get install -y gcc make libc6-dev
WORKDIR /src
RUN make hello

# final ships the tool without the compiler
FROM docker.io/library/debian:bookworm-slim AS final
COPY --from=build /src/hello /usr/bin/hello
RUN rm /etc/motd
CMD ["/usr/bin/hello"]
