FROM alpine AS a
COPY --from=b / /
FROM a AS b
