FROM alpine
RUN --mount=type=bind,target=/x,uid=abc true
