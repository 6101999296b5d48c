# syntax=docker/dockerfile:1
# service: a small Python package with a C helper, built in a venv by the
# builder image and copied into the runtime image.

ARG PROJECT=hello

# build: compile the helper and make the venv (no PyPI)
FROM builder AS build
ARG PROJECT
COPY src/ /src/
RUN --mount=type=cache,id=atmo-example-build,target=/root/.cache <<EOF
set -e
python3 -m venv --without-pip /opt/venv
site=$(/opt/venv/bin/python3 -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
gcc -O2 -shared -fPIC -o /opt/venv/lib/libhello.so /src/hello.c -lffi
cp -r "/src/${PROJECT}" "$site/"
/opt/venv/bin/python3 -m "${PROJECT}"
EOF

# service: the runtime image with the venv
FROM runtime AS service
COPY --from=build --link /opt/venv /opt/venv
USER ${PROJECT}
ENV PATH=/opt/venv/bin:$PATH
CMD ["python3", "-m", "hello"]
