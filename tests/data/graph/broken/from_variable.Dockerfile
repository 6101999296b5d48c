FROM alpine AS a
FROM alpine
ARG SRC=a
COPY --from=$SRC /x /x
