FROM alpine AS early
COPY --from=build /x /x
FROM busybox AS build
FROM alpine
COPY --from=build /y /y
