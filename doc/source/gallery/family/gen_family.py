#!/usr/bin/python3
"""Generate the 40-image family of the gallery: an OpenStack-like set of images built
by one bake file (JSON form). Run from anywhere; writes next to this script:
docker-bake.json and one folder per image with its Dockerfile.

    base -> python-base -> venv-builder, python-runtime
    9 projects: <project>-base (a venv built in venv-builder, copied into python-runtime)
                3 services each, FROM <project>-base

Every FROM of another image is a named context ("target:NAME"), as buildx bake links
images. The files are committed; run this again only to change the family.
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
PREFIX = "openstack-"
PROJECTS = {
    "nova": ["api", "conductor", "compute"],
    "neutron": ["server", "dhcp-agent", "l3-agent"],
    "cinder": ["api", "scheduler", "volume"],
    "glance": ["api", "cache-cleaner", "image-import"],
    "keystone": ["api", "fernet-rotate", "bootstrap"],
    "heat": ["api", "api-cfn", "engine"],
    "octavia": ["api", "worker", "health-manager"],
    "designate": ["api", "central", "producer"],
    "barbican": ["api", "worker", "keystone-listener"],
}

DOCKERFILES = {
    "base": """# syntax=docker/dockerfile:1
# The root of the family: Debian with the CA certificates and a non-root user.
FROM debian:bookworm-slim AS base
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tzdata \\
    && rm -rf /var/lib/apt/lists/*
RUN useradd --system --home-dir /var/lib/openstack --create-home openstack
""",
    "python-base": """# syntax=docker/dockerfile:1
FROM base AS python-base
RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-venv \\
    && rm -rf /var/lib/apt/lists/*
ENV PATH=/opt/venv/bin:$PATH
""",
    "venv-builder": """# syntax=docker/dockerfile:1
# Compilers and headers to build wheels; never shipped.
FROM python-base AS venv-builder
RUN apt-get update && apt-get install -y --no-install-recommends build-essential python3-dev \\
    libffi-dev libssl-dev libxml2-dev libxslt1-dev libpq-dev \\
    && rm -rf /var/lib/apt/lists/*
RUN python3 -m venv /opt/venv && /opt/venv/bin/pip install --upgrade pip wheel
""",
    "python-runtime": """# syntax=docker/dockerfile:1
# The shared runtime: the libraries the wheels link against, no compilers.
FROM python-base AS python-runtime
RUN apt-get update && apt-get install -y --no-install-recommends libffi8 libssl3 libxml2 \\
    libxslt1.1 libpq5 && rm -rf /var/lib/apt/lists/*
USER openstack
""",
}

PROJECT_BASE = """# syntax=docker/dockerfile:1
# {project}: its virtualenv built with the toolchain, copied into the slim runtime.
FROM venv-builder AS build
ARG {upper}_VERSION=2024.2
RUN /opt/venv/bin/pip install "{project}==${{{upper}_VERSION}}" python-memcached PyMySQL

FROM python-runtime AS runtime
COPY --from=build /opt/venv /opt/venv
COPY etc/ /etc/{project}/
"""

SERVICE = """# syntax=docker/dockerfile:1
FROM {project}-base AS service
LABEL org.opencontainers.image.title="{name}"
EXPOSE {port}
CMD ["{project}-{service}", "--config-file", "/etc/{project}/{project}.conf"]
"""


def write(rel, text):
    path = os.path.join(HERE, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def main():
    targets = {}

    def target(name, folder, contexts=None, target_stage=None):
        t = {"context": folder, "tags": ["${REGISTRY}/%s:${TAG}" % name]}
        if target_stage:
            t["target"] = target_stage
        if contexts:
            t["contexts"] = {k: "target:" + v for k, v in sorted(contexts.items())}
        targets[name] = t

    for key in ("base", "python-base", "venv-builder", "python-runtime"):
        write(os.path.join(key, "Dockerfile"), DOCKERFILES[key])
    target(PREFIX + "base", "base")
    target(PREFIX + "python-base", "python-base", {"base": PREFIX + "base"})
    target(PREFIX + "venv-builder", "venv-builder", {"python-base": PREFIX + "python-base"})
    target(PREFIX + "python-runtime", "python-runtime", {"python-base": PREFIX + "python-base"})
    port = 8000
    for project, services in PROJECTS.items():
        folder = project + "-base"
        write(os.path.join(folder, "Dockerfile"),
              PROJECT_BASE.format(project=project, upper=project.upper()))
        target(PREFIX + folder, folder, {"venv-builder": PREFIX + "venv-builder",
                                         "python-runtime": PREFIX + "python-runtime"}, "runtime")
        for service in services:
            name = "%s-%s" % (project, service)
            port += 1
            write(os.path.join(name, "Dockerfile"),
                  SERVICE.format(project=project, service=service, name=PREFIX + name, port=port))
            target(PREFIX + name, name, {project + "-base": PREFIX + folder})
    assert len(targets) == 40, len(targets)
    bake = {
        "variable": {"REGISTRY": {"default": "registry.example.com/openstack"},
                     "TAG": {"default": "2024.2"}},
        "group": {"default": {"targets": sorted(targets)}},
        "target": targets,
    }
    write("docker-bake.json", json.dumps(bake, indent=2, sort_keys=True) + "\n")


main()
