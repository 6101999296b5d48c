FROM alpine
RUN true
COPY --from=Alpine:3 /a /b
