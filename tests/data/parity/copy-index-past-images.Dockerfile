FROM alpine
COPY --from=busybox / /
COPY --from=2 /b /b
