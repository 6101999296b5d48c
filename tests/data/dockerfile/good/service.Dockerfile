# syntax=docker/dockerfile:1.7
# check=skip=JSONArgsRecommended
ARG PYTHON_VERSION=3.11
ARG UV_CACHE_ID=uv-cache

# build: compile the virtual environment
FROM openstack-venv-builder AS build
ARG UV_CACHE_ID
ADD --keep-git-dir=true https://opendev.org/openstack/nova.git#stable/2024.1 /src/nova
RUN --mount=type=cache,id=${UV_CACHE_ID},target=/root/.cache/uv \
    --mount=type=bind,source=constraints.txt,target=/tmp/constraints.txt <<EOF
set -eux
uv pip install --constraint /tmp/constraints.txt /src/nova
EOF

# runtime: the service image
FROM openstack-python-runtime AS runtime
COPY --from=build --link /var/lib/openstack /var/lib/openstack
COPY <<-"EOT" /etc/nova/api-paste.ini
	[composite:osapi_compute]
	use = call:nova.api.openstack.urlmap:urlmap_factory
	EOT
ENV PATH=/var/lib/openstack/bin:$PATH \
    OS_SERVICE=nova
USER nova
HEALTHCHECK --interval=30s CMD ["nova-status", "upgrade", "check"]
ONBUILD RUN <<EOF
echo "child image of nova"
EOF
CMD ["nova-api"]
