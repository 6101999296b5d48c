ARG X=1
RUN echo hi
FROM alpine
