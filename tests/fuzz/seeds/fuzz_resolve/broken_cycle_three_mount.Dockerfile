FROM alpine AS a
RUN --mount=from=c,target=/c true
FROM alpine AS b
COPY --from=a / /
FROM alpine AS c
COPY --from=b / /
