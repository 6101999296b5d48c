FROM alpine
RUN true
COPY --bogus=1 a b
