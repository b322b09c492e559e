# syntax=docker/dockerfile:1
#
# needlebot's container image: a static binary on distroless (CA certificates, /etc/passwd with
# the nonroot user, no shell). The binary is built by scripts/build, as everywhere else.
#
#   docker build --build-arg VERSION=$(git describe --tags --always --dirty) -t needlebot .
#
# Needs BuildKit (the default builder since Docker 23). Multi-platform builds compile on the
# build machine and cross-compile for the target: docker buildx build --platform linux/arm64 .

ARG GO_VERSION=1.26

FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-bookworm AS build
# Never download another toolchain: build with the image's Go or fail saying so.
ENV GOTOOLCHAIN=local
WORKDIR /src
# The data directory, owned by distroless's nonroot user (65532), copied into the final image
# below: that image has no shell to create it.
RUN mkdir -p /data && chown 65532:65532 /data
# Modules first, in a layer of their own, so that a source change doesn't download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG TARGETOS
ARG TARGETARCH
RUN GOOS="${TARGETOS}" GOARCH="${TARGETARCH}" VERSION="${VERSION}" OUT=/out/bot scripts/build

FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION=dev
LABEL org.opencontainers.image.title="needlebot" \
      org.opencontainers.image.description="Chat bot for at-home micro-needling: guidance answers, a session diary and reminders on Telegram and Discord" \
      org.opencontainers.image.source="https://github.com/needlebot/needlebot" \
      org.opencontainers.image.documentation="https://github.com/needlebot/needlebot/blob/main/docs/deploy.md" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="NOASSERTION"
COPY --from=build /out/bot /bot
# COPY --chown also owns /data itself, as the destination does not exist yet. A named volume
# mounted there starts as a copy of it, ownership included; a bind mount must be made writable
# for uid 65532 on the host.
COPY --from=build --chown=65532:65532 /data /data
USER nonroot:nonroot
ENV BOT_DATA_DIR=/data \
    HTTP_ADDR=:8080
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s CMD ["/bot", "healthcheck"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/bot"]
CMD ["run"]
