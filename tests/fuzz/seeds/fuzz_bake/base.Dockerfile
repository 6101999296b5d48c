# syntax=docker/dockerfile:1
# The family's base: Debian bookworm minbase (made by make-base.sh from
# debootstrap, given to the build as the named context "debian").

# base: common settings for every image of the family
FROM debian AS base
ENV DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8
RUN <<EOF
set -e
printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' \
    > /etc/apt/apt.conf.d/90atmo-no-recommends
# keep downloaded packages in the cache mounts of the builds
rm -f /etc/apt/apt.conf.d/docker-clean
echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' > /etc/apt/apt.conf.d/90atmo-keep
EOF
COPY <<'EOF' /etc/atmo-family
atmograph example image family
EOF
