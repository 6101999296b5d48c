FROM alpine TO a
