#!/usr/bin/env bash
# Install the Debian packages Huimin's demo and tests use, when they are missing:
#   fonts  a CJK font, embedded in PDF receipts (fonts-wqy-microhei)
#   all    the font, Chromium for browser tests, poppler-utils to read PDFs in tests
set -euo pipefail
what=${1:-all}
need=()
[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need+=(fonts-wqy-microhei)
if [ "$what" = "all" ]; then
    command -v chromium >/dev/null 2>&1 || need+=(chromium)
    command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
fi
[ ${#need[@]} -eq 0 ] && exit 0
sudo=()
[ "$(id -u)" = "0" ] || sudo=(sudo)
echo "Installing ${need[*]} with apt-get"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${need[@]}" >/dev/null
