FROM alpine AS a
FROM alpine
RUN --mount=type=bind,from=${A},target=/x true
