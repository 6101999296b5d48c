# An OpenStack-like family of images, as a project moving to BuildKit would
# write it: one builder image with the compilers, one runtime image, and one
# service image per OpenStack service made from a matrix.

variable "REGISTRY" {
  default     = "registry.example.org/openstack"
  description = "Where the images are pushed"
}

variable "RELEASE" {
  default = "2024.2"
  validation {
    condition     = can(regex("^[0-9]{4}\\.[12]$", RELEASE))
    error_message = "RELEASE is YEAR.1 or YEAR.2."
  }
}

variable "DEBIAN" {
  default = "bookworm"
}

variable "PUSH" {
  type    = bool
  default = false
}

variable "SERVICES" {
  type = list(string)
  default = [
    "keystone", "glance", "nova-api", "nova-compute", "nova-conductor",
    "nova-scheduler", "neutron-server", "neutron-dhcp", "neutron-l3",
    "cinder-api", "cinder-volume", "heat-api", "heat-engine", "horizon",
    "placement", "octavia",
  ]
}

function "image" {
  params = [name]
  result = "${REGISTRY}/${name}:${RELEASE}"
}

function "project" {
  params = [service]
  result = split("-", service)[0]
}

group "default" {
  targets = ["services"]
}

target "_common" {
  args = {
    DEBIAN  = DEBIAN
    RELEASE = RELEASE
  }
  labels = {
    "org.opencontainers.image.vendor"  = "example.org"
    "org.opencontainers.image.version" = RELEASE
  }
  platforms = ["linux/amd64"]
  output    = [PUSH ? "type=registry" : "type=docker"]
}

target "builder" {
  inherits = ["_common"]
  context  = "builder"
  tags     = [image("builder")]
}

target "runtime" {
  inherits = ["_common"]
  context  = "runtime"
  contexts = {
    builder = "target:builder"
  }
  tags = [image("runtime")]
}

target "services" {
  matrix = {
    svc = SERVICES
  }
  name     = svc
  inherits = ["_common"]
  context  = "service"
  contexts = {
    builder = "target:builder"
    runtime = "target:runtime"
  }
  args = {
    SERVICE = svc
    PROJECT = project(svc)
  }
  tags = [image(svc), "${REGISTRY}/${svc}:latest"]
  description = "The ${project(svc)} service ${svc}"
}
