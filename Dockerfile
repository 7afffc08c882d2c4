# Build a static binary, then copy it into a distroless image: no shell, no
# package manager, runs as nonroot. Everything the pages need is embedded.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/migtrack ./cmd/migtrack && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/migtrack /migtrack
# The database lives on a volume the nonroot user (65532) can write.
COPY --from=build --chown=65532:65532 /out/data /data
ENV MIGTRACK_DB=/data/migtrack.db MIGTRACK_ADDR=:8080
VOLUME /data
EXPOSE 8080
ENTRYPOINT ["/migtrack"]
CMD ["serve"]
