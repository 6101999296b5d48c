FROM alpine AS a
COPY --from=-1 /x /x
