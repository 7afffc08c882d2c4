# Build a static binary, then copy it into a distroless image: no shell, no
# package manager, runs as nonroot. Everything the pages need is embedded.
#
#   docker build -t migtrack .
#   docker run -p 8080:8080 -v migtrack-data:/data migtrack
#
# The first start builds the demo database in the volume. See docs/DEPLOY.md.
FROM golang:1.26.8 AS build
WORKDIR /src
# The toolchain of the image, never a download (go.mod asks for 1.26.8).
ENV GOTOOLCHAIN=local CGO_ENABLED=0
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go build -trimpath -ldflags="-s -w" -o /out/migtrack ./cmd/migtrack && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/migtrack /migtrack
# The database (and the kept copies of imported files, <db>.files) live on
# a volume the nonroot user (65532) can write; a new named volume takes this
# directory's owner.
COPY --from=build --chown=65532:65532 /out/data /data
ENV MIGTRACK_DB=/data/migtrack.db MIGTRACK_ADDR=:8080 MIGTRACK_LOG_FORMAT=json
VOLUME /data
EXPOSE 8080
# The image has no shell or curl: the binary checks itself (GET /healthz).
# The first start imports the demo data before it listens, hence the start
# period.
HEALTHCHECK --interval=30s --timeout=5s --start-period=2m --retries=3 CMD ["/migtrack", "healthcheck"]
ENTRYPOINT ["/migtrack"]
CMD ["serve"]
