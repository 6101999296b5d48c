FROM alpine AS a
FROM alpine
COPY --from=a /only
