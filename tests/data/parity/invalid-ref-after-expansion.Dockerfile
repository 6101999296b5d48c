ARG TAG=
FROM alpine AS base
FROM debian:${TAG}
