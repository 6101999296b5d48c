FROM alpine AS base
ONBUILD COPY --frm=x / /
FROM base
