FROM alpine
SHELL ["/bin/sh"] \
RUN true
