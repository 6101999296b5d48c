ARG DEBIAN=bookworm

# base is the common root of every stage
FROM debian:${DEBIAN}-slim AS base
ENV LANG=C.UTF-8 APP=/srv/app
ARG UNUSED_IN_STAGE

FROM base AS deps
RUN apt-get update && apt-get install -y build-essential

FROM deps AS build
WORKDIR $APP
COPY . .
RUN make

FROM base AS docs
RUN --mount=type=bind,from=build,source=/srv/app/doc,target=/doc cp -r /doc /out

FROM scratch AS export
COPY --from=docs /out /

FROM base AS runtime
ONBUILD ARG PROJECT=app
ONBUILD RUN useradd $PROJECT
COPY --from=build $APP/bin /usr/local/bin/

FROM runtime AS service
