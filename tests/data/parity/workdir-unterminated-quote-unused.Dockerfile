FROM alpine AS unused
WORKDIR "/a
FROM alpine
