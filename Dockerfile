# loginprobe: a synthetic login monitor for apps built on Clerk.
#
#   docker build -t loginprobe .
#   docker run -d --name loginprobe -v loginprobe-data:/data -p 127.0.0.1:9464:9464 \
#     -e CLERK_PUBLISHABLE_KEY -e CLERK_SECRET_KEY \
#     -e LOGINPROBE_IDENTIFIER -e LOGINPROBE_PASSWORD loginprobe
#
# The default command is `serve`: every enabled flow on its schedule, with
# /healthz, /readyz and /metrics on port 9464 (inside the container it must
# listen beyond loopback, hence the explicit --listen). `loginprobe run` runs
# every flow once, as in CI.
#
# Built with cgo (mattn/go-sqlite3) on the same Debian release it runs on, so
# the binary and the runtime's glibc match.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=1 go build -trimpath -ldflags="-s -w" -o /out/loginprobe ./cmd/loginprobe

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium fonts-liberation fonts-noto-color-emoji ca-certificates tini \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 loginprobe \
 && mkdir /data && chown loginprobe /data
COPY --from=build /out/loginprobe /usr/local/bin/loginprobe
USER loginprobe
WORKDIR /data
VOLUME /data
ENV LOGINPROBE_DB=/data/loginprobe.db \
    LOGINPROBE_CHROME=/usr/bin/chromium
EXPOSE 9464
# The image has no curl: the binary asks its own /readyz.
HEALTHCHECK --interval=30s --timeout=10s --start-period=90s --retries=3 \
  CMD ["loginprobe", "healthcheck", "--url", "http://127.0.0.1:9464/readyz"]
ENTRYPOINT ["/usr/bin/tini", "--", "loginprobe"]
CMD ["serve", "--listen", "0.0.0.0:9464"]
