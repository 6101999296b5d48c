FROM alpine
RUN --mount=type=bind,\"src=a\"x,target=/x true
