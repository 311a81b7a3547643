#!/usr/bin/env bash
# Renders the shipped nginx files (deploy/nginx/) into an unprivileged prefix, as a plain-HTTP
# site in front of one lep on loopback, and writes the main config. Used by tests/deploy/run.sh
# and by the benchmarks, so that both exercise the very files an operator installs.
#   nginx-test-site.sh NG WEB DATA LEP_PORT NGINX_PORT
#     NG          prefix directory (created): NG/lep/ the rendered snippets, NG/nginx.conf the
#                 plain-HTTP site, NG/tls.conf the TLS site (needs NG/tls/{cert,key}.pem to pass
#                 `nginx -t`), NG/logs, NG/cache, NG/tmp
#     WEB         the front end's root (/srv/lep/web/dist in the shipped files)
#     DATA        lep's data directory (/var/lib/lep/)
#     LEP_PORT    lep's port on 127.0.0.1 (the only upstream server)
#     NGINX_PORT  the port the plain-HTTP site listens on (127.0.0.1)
#   NGINX_QUIET=1  no access log and warnings only in the error log (benchmarks)
# Prints nothing; start it with `nginx -p NG -c NG/nginx.conf`.
set -euo pipefail
[[ $# == 5 ]] || { echo "usage: $0 NG WEB DATA LEP_PORT NGINX_PORT" >&2; exit 2; }
NG="$1" WEB="$2" DATA="${3%/}" LEP_PORT="$4" NGINX_PORT="$5"
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p "$NG/lep" "$NG/cache" "$NG/tmp/body" "$NG/tmp/proxy" "$NG/logs" "$NG/tls"

render() {  # deploy file → $NG/lep/
  sed -e "s#/etc/nginx/lep/#$NG/lep/#g" \
      -e "s#/srv/lep/web/dist#$WEB#g" \
      -e "s#/var/log/nginx/#$NG/logs/#g" \
      -e "s#/var/cache/nginx/#$NG/cache/#g" \
      -e "s#/var/lib/lep/#$DATA/#g" \
      -e "s#/var/www/acme#$NG/acme#g" \
      -e "s#/etc/ssl/lep/CERT_FULLCHAIN.pem#$NG/tls/cert.pem#" \
      -e "s#/etc/ssl/lep/CERT_KEY.pem#$NG/tls/key.pem#" \
      -e "s#server 10\.0\.0\.11:8080#server 127.0.0.1:$LEP_PORT#" \
      -e "/server 10\.0\.0\.12:8080/d" \
      "$REPO/deploy/nginx/$1" >"$NG/lep/$1"
}
for f in lep-site.conf lep-upstreams.conf lep-locations.conf lep-proxy.conf lep-headers.conf; do render "$f"; done
if grep -q "10\.0\.0\.1[12]" "$NG/lep/lep-upstreams.conf"; then
  echo "nginx-test-site: upstream addresses not rewritten" >&2
  exit 1
fi

USER_LINE=""
[[ "$(id -u)" == 0 ]] && USER_LINE="user root;"  # else workers run as nobody and cannot read NG
ACCESS_LOG="access_log $NG/logs/access.log lep;"
ERROR_LEVEL=info
[[ -n "${NGINX_QUIET:-}" ]] && { ACCESS_LOG="access_log off;"; ERROR_LEVEL=warn; }
main_conf() {  # file, server part
  cat >"$1" <<CONF
$USER_LINE
worker_processes 2;
daemon off;
pid $NG/nginx.pid;
error_log $NG/logs/error.log $ERROR_LEVEL;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  sendfile on;
  log_format lep '\$remote_addr "\$request" \$status \$body_bytes_sent rt=\$request_time';
  $ACCESS_LOG
  client_body_temp_path $NG/tmp/body;
  proxy_temp_path $NG/tmp/proxy;
  fastcgi_temp_path $NG/tmp/proxy;
  uwsgi_temp_path $NG/tmp/proxy;
  scgi_temp_path $NG/tmp/proxy;
$2
}
CONF
}
main_conf "$NG/tls.conf" "  include $NG/lep/lep-site.conf;"
main_conf "$NG/nginx.conf" "  include $NG/lep/lep-upstreams.conf;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    server_name localhost;
    include $NG/lep/lep-locations.conf;
  }"
