FROM alpine AS a
ONBUILD COPY --from=b / /
FROM a AS b
