FROM busybox AS base
ONBUILD COPY --from=Src /in/file
FROM base AS mid
