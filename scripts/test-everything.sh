#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine, then runs every test tier.
# System: Debian's chromium (WebGPU through its SwiftShader Vulkan ICD), libvulkan1 (the Vulkan loader that
# Dawn for Node loads) and python3-torch (PyTorch for scale/, under /usr/bin/python3). npm: everything else, from
# the lock file (Node 22 included).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -e /usr/lib/x86_64-linux-gnu/libvulkan.so.1 ] || dpkg -s libvulkan1 >/dev/null 2>&1 || missing+=(libvulkan1)
/usr/bin/python3 -c 'import torch' >/dev/null 2>&1 || missing+=(python3-torch)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}"
fi

npm ci --no-audit --no-fund
npm test
