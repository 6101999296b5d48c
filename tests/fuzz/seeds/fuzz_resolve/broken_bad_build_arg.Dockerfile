ARG X=1
FROM alpine
