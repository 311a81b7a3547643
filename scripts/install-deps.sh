#!/usr/bin/env bash
# Installs the Debian 12 packages lep needs to build, test and run — only those missing.
# Idempotent: when everything is present it calls neither apt-get update nor install.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config
  libboost-dev libsqlite3-dev libcli11-dev libtomlplusplus-dev libsodium-dev
  libxlsxwriter-dev nlohmann-json3-dev libexpected-dev libgtest-dev
  libzip-dev libpugixml-dev libxml2-dev libexpat1-dev libcurl4-openssl-dev
  libavformat-dev libavcodec-dev libavutil-dev ffmpeg
  libturbojpeg0-dev libjpeg62-turbo-dev libssl-dev libsodium-dev libopencc-dev libxapian-dev libqrencode-dev
  clang libclang-rt-14-dev
  chromium fonts-wqy-microhei
  libpq-dev postgresql nginx wrk
)

missing=()
for p in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "安装缺少的软件包：${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "错误：需要 root 权限安装：${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
