FROM alpine
COPY <<A << B /dst/
a
A
b
B
COPY --from=Builder /a /b
