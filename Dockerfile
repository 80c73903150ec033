# syntax=docker/dockerfile:1

# The runtime image: one static binary on distroless, running as nonroot
# (65532, numeric so Kubernetes can verify runAsNonRoot). CI builds the same
# image without Docker (`make package`: hack/package.sh, tools/image): the
# same binary and entrypoint, user and port, without distroless's files.
#   docker build -t function-aurora-postgres-runtime .
#   crossplane xpkg build -f package --embed-runtime-image=function-aurora-postgres-runtime

FROM golang:1.26 AS build
WORKDIR /fn
ENV CGO_ENABLED=0
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY *.go ./
COPY input/ ./input/
COPY internal/aws/ ./internal/aws/
COPY internal/crossplane/ ./internal/crossplane/
COPY internal/pbenc/ ./internal/pbenc/
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    go build -trimpath -ldflags="-s -w" -o /function .

FROM gcr.io/distroless/static-debian12:nonroot AS image
WORKDIR /
COPY --from=build /function /function
EXPOSE 9443
USER 65532:65532
ENTRYPOINT ["/function"]
