FROM alpine@sha256:0123456789abcdef
