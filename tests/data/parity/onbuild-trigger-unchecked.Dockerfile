FROM alpine
ONBUILD FROMX alpine
