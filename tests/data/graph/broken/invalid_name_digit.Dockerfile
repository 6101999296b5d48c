FROM alpine AS 1build
RUN true
