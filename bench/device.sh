#!/bin/bash
# The bench suites on the GPU machine (the `device` tool; see ../shared/gpu/README.md). Here, first:
#   npm install && bash ../shared/gpu/prepare-devkit.sh && npm run build:node
# then one device call with carry [".devkit", ".gl", "dist-node"] and a command such as
#   bash bench/device.sh kernels --shapes gpt1 2>&1 | tee $OUT/kernels.log
# or, for several suites in one call (one set-up):
#   source bench/device.sh && node dist-node/bench.js train --preset gpt1 && node dist-node/bench.js native
# Set-up (the lines of ../shared/gpu/on-device.sh, which does not travel): the carried Vulkan loader, Node
# and Dawn unpacked into /tmp/gpu, Vulkan pointed at the NVIDIA driver, Dawn linked as node_modules/webgpu
# (dist-node/bench.js imports 'webgpu'). PyTorch for the native suite is the machine's own python3.
for f in .gl/*.deb; do dpkg -x "$f" /; done
ldconfig
export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
mkdir -p /tmp/gpu && xz -dc .devkit/node.xz > /tmp/gpu/node && chmod +x /tmp/gpu/node
tar xJf .devkit/webgpu.tar.xz -C /tmp/gpu
export PATH=/tmp/gpu:$PATH
mkdir -p node_modules && ln -sfn /tmp/gpu/webgpu node_modules/webgpu
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader >&2
if [ ! -f dist-node/bench.js ]; then
  echo 'dist-node/bench.js is missing: run `npm run build:node` here and carry "dist-node"' >&2
  return 1 2>/dev/null || exit 1
fi
# Executed (not sourced) with arguments: run that suite.
if [ "${BASH_SOURCE[0]}" = "$0" ] && [ $# -gt 0 ]; then
  exec node dist-node/bench.js "$@"
fi
