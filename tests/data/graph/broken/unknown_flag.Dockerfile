FROM alpine AS a
FROM alpine
COPY --frm=a /x /x
