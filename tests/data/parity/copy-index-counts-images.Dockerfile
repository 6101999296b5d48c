FROM alpine
COPY --from=busybox / /
RUN --mount=type=cache,target=/c true
COPY --from=1 /a /a
COPY --from=2 /b /b
