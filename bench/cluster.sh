# Sourced by the cluster benchmarks: starts a standalone Master and 2 Workers (separate JVMs on 127.0.0.1,
# 1 core each) under $work, stopped by PID on exit. Needs: root, spark_home, work, worker_memory.
# Sets: java_home, flags (conf/jvm-flags), spark_java (a java command with Spark's jars), master (its URL).
source "$root/bench/jvm-flags.sh"
java_home="$(java_home_of java)"
rm -rf "$work"
mkdir -p "$work/logs" "$work/tmp" "$work/worker-1" "$work/worker-2"
export JAVA_HOME="$java_home" SPARK_HOME="$spark_home" SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_IP=127.0.0.1 \
  SPARK_LOCAL_DIRS="$work/tmp" SPARK_LOG_DIR="$work/logs"
spark_java=("$java_home/bin/java" "${flags[@]}" -Xmx1g -Djava.io.tmpdir="$work/tmp" -cp "$spark_home/jars/*")

pids=()
stop() { # by PID: Workers (and the executors they started) before the Master
  for ((i=${#pids[@]}-1; i>=0; i--)); do
    pkill -TERM -P "${pids[i]}" 2>/dev/null || true
    kill "${pids[i]}" 2>/dev/null || true
  done
  wait 2>/dev/null || true
}
trap stop EXIT

# await FILE REGEX COUNT SECONDS: wait until FILE has COUNT lines matching REGEX
await() {
  for ((t=0; t<$4*4; t++)); do
    if [[ "$(grep -c -E "$2" "$1" 2>/dev/null || true)" -ge "$3" ]]; then return 0; fi
    sleep 0.25
  done
  echo "timed out waiting for '$2' in $1" >&2
  exit 1
}

# port 0: the Master binds free ports and logs its URL
"${spark_java[@]}" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port 0 --webui-port 0 \
  >"$work/logs/master.out" 2>"$work/logs/master.err" &
pids+=($!)
await "$work/logs/master.err" 'Starting Spark master at spark://' 1 60
master="$(grep -o -E 'spark://127\.0\.0\.1:[0-9]+' "$work/logs/master.err" | head -1)"
for i in 1 2; do
  LD_PRELOAD="$java_home/lib/libjsig.so" "${spark_java[@]}" org.apache.spark.deploy.worker.Worker \
    --host 127.0.0.1 --port 0 --webui-port 0 --cores 1 --memory "${STARSPARK_WORKER_MEMORY:-$worker_memory}" \
    --work-dir "$work/worker-$i" "$master" >"$work/logs/worker-$i.out" 2>"$work/logs/worker-$i.err" &
  pids+=($!)
done
await "$work/logs/master.err" 'Registering worker' 2 90
echo "cluster up at $master (logs in $work/logs)"
