FROM alpine
RUN --network=non true
