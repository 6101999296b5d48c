FROM localhost:5000/team/app:1.2.3-rc_1 AS a
FROM docker.io/library/alpine@sha256:0000000000000000000000000000000000000000000000000000000000000000 AS b
FROM [::1]:5000/x__y/z--w.v AS c
FROM a
COPY --from=b / /
COPY --from=c / /
