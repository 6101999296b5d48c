FROM alpine AS base
FROM alpine AS cy1
COPY --from=cy2 / /
COPY --from=cy2 /a /a
FROM alpine AS cy2
COPY --from=cy1 / /
