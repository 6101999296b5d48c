# syntax=docker/dockerfile:1
# A service image shaped like the seed project's nova image.
ARG UV_CACHE_ID=uv-cache
ARG NOVA_REF=stable

# build installs nova into the shared virtual environment
FROM openstack-venv-builder AS build
ARG UV_CACHE_ID
ARG NOVA_REF
ADD --keep-git-dir=true https://opendev.org/openstack/nova.git#${NOVA_REF} /src
RUN --mount=type=cache,id=${UV_CACHE_ID},target=/root/.cache <<EOF
set -e
uv pip install --constraint /upper-constraints.txt /src
EOF

# runtime is what ships: the venv without compilers
FROM openstack-python-runtime AS runtime
ENV PROJECT=nova
RUN apt-get update && apt-get install -y --no-install-recommends libvirt-clients
COPY --from=build --link /var/lib/openstack /var/lib/openstack
USER nova
