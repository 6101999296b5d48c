FROM alpine
FROM alpine AS
