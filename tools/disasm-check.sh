#!/usr/bin/env bash
# The JIT disassembly check of the CPU microkernels (issue #11: "no spills in the inner loop, FMAs with embedded
# broadcasts, no bounds checks"). Runs `cardinal bench` on models that reach every kernel family with
# DOTNET_JitDisasm naming the kernels, then tools/disasm-check/analyze.py reads the listings the JIT wrote for the code
# that stays (FullOpts and tier 1): per method its innermost loops' FMAs, how many take an embedded broadcast, vector
# loads and stores through the stack (spills), calls, and bounds-check helpers anywhere in the method.
#
#   tools/disasm-check.sh [--isa avx512|avx2|all] [--keep DIR]
#
# avx2 runs with DOTNET_EnableAVX512=0, so the AVX2 tier's kernels run on an AVX-512 machine too. ResNet-50 and
# ResNeXt-50 come from the reference cache (tools/reference/generate.sh); without it only the bundled ResNet-18 runs
# (a note says what was not reached). Exit 0 when every listed kernel passes, 1 when one fails or none was compiled.
set -euo pipefail
cd "$(dirname "$0")/.."

isa=all
keep=""
while [ $# -gt 0 ]; do
  case "$1" in
    --isa) isa="$2"; shift 2 ;;
    --keep) keep="$2"; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "disasm-check: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$isa" in avx512|avx2|all) ;; *) echo "disasm-check: --isa takes avx512, avx2 or all" >&2; exit 2 ;; esac

cli=tools/Cardinal.Cli/bin/Release/net10.0/cardinal.dll
[ -f "$cli" ] || dotnet build tools/Cardinal.Cli -c Release -nologo -v q >/dev/null
out=${keep:-$(mktemp -d)}
mkdir -p "$out"
[ -n "$keep" ] || trap 'rm -rf "$out"' EXIT

refs=${CARDINAL_REFERENCE_CACHE:-$HOME/.cache/cardinal/reference}/torchvision/current
models=("")  # "" is the bundled ResNet-18
for m in resnet50 resnext50_32x4d; do
  if [ -f "$refs/$m/model.onnx" ]; then models+=("$refs/$m/model.onnx"); else echo "note: $m not in the reference cache (tools/reference/generate.sh): its kernels are not reached"; fi
done

# The kernels: every register tile and the loops that feed them. Wildcards as DOTNET_JitDisasm takes them.
kernels_avx512='Conv_*_Avx512 Conv2R_* Stem_* Diag*_Avx512 Products BlockPairProducts GlobalAverageWide Gemm_8x32_Avx512'
kernels_avx2='Conv_*_Avx2 Diag*_Avx2 GlobalAverageWide Gemm_6x16_Avx2'
# Kernels with no FMA by design (a sum of pixels); the diagonal grouped tiles multiply unshuffled input vectors, so
# they have FMAs but no broadcast; the direct tiles broadcast each pixel once into a register for 4 FMAs, and the grouped
# Winograd loop of two-block groups (BlockPairProducts) for 2. The Products loops (tiles in the lanes, one-block groups)
# must embed theirs.
no_fma='GlobalAverageWide'
expect_broadcast='Products'

status=0
run_tier() {  # tier, DOTNET_EnableAVX512 value, kernel patterns
  local tier=$1 avx512=$2 names=$3 listing="$out/$1.txt"
  rm -f "$listing"; touch "$listing"
  for model in "${models[@]}"; do
    # The bundled ResNet-18's batch is fixed at 1: batch 8 would run batch 1 again.
    batches="1 8"; [ -z "$model" ] && batches=1
    for batch in $batches; do
      # One thread and two: the split plans (rows outermost, sets, two-row tiles on narrow rows) differ. The kernels are
      # compiled fully optimized at their first call (AggressiveOptimization), so two runs reach them.
      for threads in 1 2; do
        args=(bench --threads "$threads" --batch "$batch" --runs 2 --warmup 1)
        [ -n "$model" ] && args+=(--model "$model")
        DOTNET_EnableAVX512=$avx512 DOTNET_JitDisasm="$names" DOTNET_JitStdOutFile="$out/part.txt" \
          dotnet "$cli" "${args[@]}" >/dev/null
        if [ -f "$out/part.txt" ]; then cat "$out/part.txt" >> "$listing"; rm -f "$out/part.txt"; fi
      done
    done
  done
  echo "## $tier"
  # With --isa all, a tier the engine did not choose here (.NET can turn 512-bit vectors off on a CPU that has AVX-512F;
  # CARDINAL_CPU_ISA can cap it) compiled none of its kernels: a note, not a failure. Asked for by name, it fails.
  # The tier's own tiles end in _Avx512 or _Avx2 (the pool's method serves both tiers).
  local suffix=Avx512; [ "$tier" = avx2 ] && suffix=Avx2
  if [ "$isa" = all ] && ! grep -q "^; Assembly listing for method Cardinal\..*_${suffix}\[" "$listing"; then
    echo "note: no $tier kernel ran (the engine chose another tier): not checked"
    return
  fi
  python3 tools/disasm-check/analyze.py "$listing" --no-fma "$no_fma" --expect-broadcast "$expect_broadcast" || status=1
}

if [ "$isa" != avx2 ]; then
  if grep -q avx512f /proc/cpuinfo 2>/dev/null; then run_tier avx512 1 "$kernels_avx512"
  elif [ "$isa" = avx512 ]; then echo "disasm-check: this machine has no AVX-512" >&2; exit 1
  else echo "note: no AVX-512 here: its kernels are not checked"; fi
fi
[ "$isa" = avx512 ] || run_tier avx2 0 "$kernels_avx2"
exit $status
