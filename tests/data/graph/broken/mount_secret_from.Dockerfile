FROM alpine AS a
FROM alpine
RUN --mount=type=secret,id=x,from=a true
