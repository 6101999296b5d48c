FROM alpine
RUN true
RUN --mount=type=cache,target=/x,colour=red true
