FROM alpine AS org/build
