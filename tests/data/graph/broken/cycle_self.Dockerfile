FROM alpine AS a
RUN true
COPY --from=a /x /y
