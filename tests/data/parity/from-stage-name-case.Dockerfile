FROM alpine AS build
FROM Build
