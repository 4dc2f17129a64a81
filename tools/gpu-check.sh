#!/usr/bin/env bash
# The lent-GPU check, in two halves (the GPU machine has no .NET and reaches no registry):
#
#   tools/gpu-check.sh prepare   here: publishes tools/Cardinal.GpuCheck for linux-x64 and packs the .NET
#                                runtime into .gpu-check/ (git-ignored, 31 MiB measured) to carry to the device.
#   tools/gpu-check.sh run       on the device (device tool: command "bash tools/gpu-check.sh run",
#                                carry [".gpu-check"], timeout_s 480): unpacks the runtime, then for every
#                                full-size zoo architecture checks the CUDA path against Cardinal's CPU path
#                                (rtol 1e-3, atol 1e-4) and times ResNet-50 / ResNeXt-50 at batch 1, 32, 64.
#                                Writes $OUT/gpu-check.md (and prints it). Budget: under 8 minutes.
#
# DEVICE=opencl or DEVICE=ilgpu-cpu overrides the device; MODELS=resnet18,resnet50 limits the models.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
case "${1:-}" in
  prepare)
    rm -rf .gpu-check && mkdir -p .gpu-check
    dotnet publish tools/Cardinal.GpuCheck/Cardinal.GpuCheck.csproj -c Release -r linux-x64 --self-contained false -o .gpu-check/app -nologo -v q
    runtime=$(dirname "$(dirname "$(dotnet --list-runtimes | awk '/Microsoft.NETCore.App 10\./ {gsub(/[\[\]]/, "", $3); print $3 "/" $2}' | tail -n 1)")")
    tar -C "$(dirname "$runtime")" -cJf .gpu-check/dotnet-runtime.tar.xz dotnet host/fxr shared/Microsoft.NETCore.App
    du -sh .gpu-check
    ;;
  run)
    [ -d .gpu-check/app ] || { echo "carry .gpu-check (run 'tools/gpu-check.sh prepare' first)" >&2; exit 2; }
    export DOTNET_ROOT=/tmp/cardinal-dotnet DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
    mkdir -p "$DOTNET_ROOT" && tar -C "$DOTNET_ROOT" -xJf .gpu-check/dotnet-runtime.tar.xz
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null || true
    out=${OUT:-/tmp}/gpu-check.md
    args=(--device "${DEVICE:-cuda}" --out "$out")
    [ -n "${MODELS:-}" ] && args+=(--models "$MODELS")
    "$DOTNET_ROOT/dotnet" .gpu-check/app/cardinal-gpu-check.dll "${args[@]}"
    ;;
  *)
    sed -n '2,13p' "$0" >&2
    exit 2
    ;;
esac
