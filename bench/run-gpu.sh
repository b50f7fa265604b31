#!/usr/bin/env bash
# GPU check of the Aparapi backend, one results file, under 8 minutes:
#   1. OpenCL from the NVIDIA driver only (its ICD in a private vendors dir; PoCL is never used),
#   2. the kernel contract suite and the device-resident block forward's test on the GPU (every call asserted
#      to run on OpenCL),
#   3. GEMM and attention benchmarks (aparapi vs java; GEMM % of the GPU's FP32 peak),
#   4. a 2048-token prefill of the 110m shape: java, aparapi (device-resident: activations stay on the device
#      across layers) and aparapi-calls (per-op calls), with bytes moved to/from the device.
# --dry-run: the same steps on PoCL (installed if missing) with tiny sizes; CI runs it (.ci/run).
#
# The GPU machine may have no Maven and no network: on a build machine the script first assembles
# bench/target/gpu-kit (classes, the few jars needed, the ICD loader library); carry that folder.
# Usage: bench/run-gpu.sh [--dry-run] [--out DIR]      (results: DIR/gpu-DATE[-dry].txt, default bench/results)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
dry=0
out_dir="$root/bench/results"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dry-run) dry=1 ;;
    --out) out_dir="$2"; shift ;;
    *) echo "starspark: error: unknown argument '$1' (usage: bench/run-gpu.sh [--dry-run] [--out DIR])" >&2; exit 2 ;;
  esac
  shift
done
kit="$root/bench/target/gpu-kit"
mkdir -p "$out_dir" "$kit"
suffix=""; if [[ $dry == 1 ]]; then suffix="-dry"; fi
results="$out_dir/gpu-$(date +%F)$suffix.txt"
work="$root/bench/target/gpu-run"
rm -rf "$work" && mkdir -p "$work/tmp"
: > "$results"
log() { echo "$*" | tee -a "$results"; }
started=$SECONDS

# the loader cache's first path for a library; reads all of `ldconfig -p` (awk exiting early would SIGPIPE it, and
# under pipefail + set -e that ends the script without a word)
lib_path() { ldconfig -p 2>/dev/null | re="$1" awk '$0 ~ ENVIRON["re"] && !found { print $NF; found = 1 }'; }
as_root() { if [[ "$(id -u)" == 0 ]]; then "$@"; else sudo "$@"; fi; }
apt_install() { as_root apt-get update -qq >/dev/null 2>&1 || true; as_root apt-get install -y -qq "$@" >/dev/null 2>&1; }

# ---- 0. the kit: build it where Maven is, else use the carried one
if command -v mvn >/dev/null 2>&1 && [[ -f "$root/pom.xml" ]]; then
  mvn -B -o -q -pl bench -am package -DskipTests
  mvn -B -o -q -pl kernels,model test-compile
  # the bench module's runtime classpath, written by its package just above (bench/pom.xml); resolving it again with
  # `-pl bench dependency:build-classpath` needs the starspark modules installed in ~/.m2, which nobody does here
  cp "$root/bench/target/classpath.txt" "$kit/bench-cp.txt"
  rm -rf "$kit/lib" "$kit/classes" && mkdir -p "$kit/lib" "$kit/classes"
  # only what the kernels, model and these mains need: no Spark, no Hadoop
  tr ':' '\n' < "$kit/bench-cp.txt" | grep -E '/(aparapi|aparapi-jni|bcel|slf4j-api|log4j-api|log4j-core|log4j-slf4j2-impl|junit-[a-z-]+|opentest4j|apiguardian-api)-[0-9][^/]*\.jar$' \
    | xargs -I{} cp {} "$kit/lib/"
  for m in kernels/target/classes kernels/target/test-classes model/target/classes model/target/test-classes \
      bench/target/classes; do
    cp -r "$root/$m/." "$kit/classes/"
  done
  # aparapi-jni carries its native library for every OS (19 MB, mostly Windows DLLs): keep Linux x86-64's, so
  # that the kit and its Java runtime fit one device call's 64 MiB
  for jni in "$kit"/lib/aparapi-jni-*.jar; do
    zip -q -d "$jni" 'win/*' 'osx/*' 'linux/libaparapi_x86.so' 'linux/libaparapi_armhf.so' \
      'linux/libaparapi_aarch64.so' >/dev/null 2>&1 || true
  done
  icd_loader="$(lib_path 'libOpenCL\.so\.1 .*x86-64')"
  if [[ -n "$icd_loader" ]]; then mkdir -p "$kit/native" && cp -L "$icd_loader" "$kit/native/libOpenCL.so.1"; fi
  # a Java runtime of just the modules the kit uses (~48 MB): GPU machines may have no Java and no network
  if command -v jlink >/dev/null 2>&1 && [[ ! -x "$kit/jdk/bin/java" ]]; then
    jlink --add-modules java.base,java.compiler,java.desktop,java.naming,java.rmi,java.scripting,java.sql,java.logging,java.xml,java.management,jdk.management,jdk.unsupported,jdk.zipfs,jdk.incubator.vector \
      --strip-debug --no-header-files --no-man-pages --compress=2 --output "$kit/jdk" >/dev/null 2>&1
    strip --strip-unneeded "$kit/jdk/lib/server/libjvm.so" 2>/dev/null || true
  fi
fi
if [[ ! -d "$kit/classes/io/starspark/bench" ]]; then
  echo "starspark: error: no gpu kit at $kit and no Maven to build it: run bench/run-gpu.sh --dry-run on a build machine and carry bench/target/gpu-kit" >&2
  exit 2
fi

# ---- 1. Java and OpenCL
if ! command -v java >/dev/null 2>&1 && [[ -x "$kit/jdk/bin/java" ]]; then export PATH="$kit/jdk/bin:$PATH"; fi
if ! command -v java >/dev/null 2>&1; then apt_install openjdk-17-jre-headless || true; fi
command -v java >/dev/null 2>&1 || { echo "starspark: error: no java and apt could not install openjdk-17-jre-headless" >&2; exit 2; }
if [[ $dry == 1 ]]; then
  if ! dpkg -s pocl-opencl-icd ocl-icd-libopencl1 >/dev/null 2>&1; then apt_install pocl-opencl-icd ocl-icd-libopencl1 clinfo; fi
else
  nv="$(lib_path 'libnvidia-opencl\.so\.1')"
  if [[ -z "$nv" ]]; then nv="$(find /usr/lib /usr/lib64 /usr/local/nvidia /usr/lib/x86_64-linux-gnu -name 'libnvidia-opencl.so.1' 2>/dev/null | head -1 || true)"; fi
  if [[ -z "$nv" ]]; then apt_install nvidia-opencl-icd || true; nv="$(lib_path 'libnvidia-opencl\.so\.1')"; fi
  [[ -n "$nv" ]] || { echo "starspark: error: no libnvidia-opencl.so.1 (the NVIDIA driver's OpenCL ICD); install the driver's OpenCL part (e.g. nvidia-opencl-icd)" >&2; exit 2; }
  # a private vendors dir listing only NVIDIA: PoCL, if present, is never picked
  mkdir -p "$work/icd" && echo "$nv" > "$work/icd/nvidia.icd"
  export OCL_ICD_VENDORS="$work/icd"
  if [[ -z "$(lib_path 'libOpenCL\.so\.1')" ]]; then
    apt_install ocl-icd-libopencl1 clinfo || true
    if [[ -z "$(lib_path 'libOpenCL\.so\.1')" ]]; then export LD_LIBRARY_PATH="$kit/native${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; fi
  fi
  command -v clinfo >/dev/null 2>&1 || apt_install clinfo || true
fi
log "== run-gpu $([[ $dry == 1 ]] && echo '--dry-run (PoCL, tiny sizes)') $(date -u +%FT%TZ) on $(hostname), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
log "java: $(java -version 2>&1 | head -1)"
if command -v nvidia-smi >/dev/null 2>&1; then log "$(nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader 2>&1 | head -2)"; fi
if command -v clinfo >/dev/null 2>&1; then clinfo -l 2>&1 | tee -a "$results"; fi

cp_="$kit/classes:$(ls "$kit"/lib/*.jar | tr '\n' ':')"
# the product's JVM flags (module flags and the C2 trap limit the kernels need)
source "$root/bench/jvm-flags.sh"
java_home="$(java_home_of java)"
# libjsig: OpenCL runtimes may replace the JVM's signal handlers (PLATFORM.md)
run_java() {
  local limit="$1"; shift
  timeout "$limit" env LD_PRELOAD="$java_home/lib/libjsig.so" java "${flags[@]}" -Xss4m \
    -Djava.io.tmpdir="$work/tmp" -Dlog4j2.level=WARN -cp "$cp_" "$@" 2>&1 | grep -v 'incubator\|signal chaining' | tee -a "$results"
  return "${PIPESTATUS[0]}"
}

# ---- 2. contract suite on the device
log "== contract suite"
# a failed contract still runs the benchmarks (a device lease is short: one call shows everything), and the
# script then exits 1
contract=0
if [[ $dry == 1 ]]; then
  run_java 150 io.starspark.bench.DeviceContract io.starspark.kernels.aparapi.AparapiKernelsTest \
    io.starspark.kernels.aparapi.DeviceBlocksKernelsTest io.starspark.kernels.KernelBackendsTest \
    io.starspark.model.DeviceForwardTest || contract=$?
else
  run_java 150 io.starspark.bench.DeviceContract --expect-gpu io.starspark.kernels.aparapi.AparapiKernelsTest \
    io.starspark.kernels.aparapi.DeviceBlocksKernelsTest io.starspark.kernels.KernelBackendsTest \
    io.starspark.model.DeviceForwardTest || contract=$?
fi

# ---- 3. GEMM and attention
log "== kernels"
if [[ $dry == 1 ]]; then
  run_java 90 -Xmx2g io.starspark.bench.KernelBench --tiny --quick --out "$work"
else
  mhz="$(nvidia-smi --query-gpu=clocks.max.sm --format=csv,noheader,nounits 2>/dev/null | head -1 | tr -dc '0-9' || true)"
  run_java 180 -Xmx16g io.starspark.bench.KernelBench --quick --gemm-tokens 4096 ${mhz:+--gpu-mhz $mhz} --out "$work"
fi

# ---- 4. prefill, java vs aparapi
log "== prefill"
mkdir -p bench/target/models
if [[ $dry == 1 ]]; then
  run_java 90 -Xmx2g io.starspark.bench.PrefillBench --shapes stories260k --dtypes f32 --kernels java,aparapi,aparapi-calls --tokens 128 --runs 1 --out "$work"
else
  run_java 200 -Xmx24g io.starspark.bench.PrefillBench --shapes 110m --dtypes f32 --kernels java,aparapi,aparapi-calls --tokens 2048 --runs 2 --out "$work"
fi
if [[ $contract != 0 ]]; then
  log "== done in $((SECONDS - started)) s; the device contract FAILED (exit $contract); results in $results"
  exit 1
fi
log "== done in $((SECONDS - started)) s; results in $results"
