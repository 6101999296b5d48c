FROM debian:bookworm AS Build_Stage!
RUN true
