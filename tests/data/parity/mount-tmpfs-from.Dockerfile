FROM alpine AS a
FROM busybox
RUN --mount=type=tmpfs,from=a,target=/x true
