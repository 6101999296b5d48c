FROM alpine
RUN --mount=type=bind,from=3,target=/x true
