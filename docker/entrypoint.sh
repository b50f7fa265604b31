#!/usr/bin/env bash
# Container entrypoint: master | worker | submit [ARGS] | any starspark CLI command.
set -euo pipefail

home=/opt/starspark
work="$home/work"
# the one list of JVM flags (conf/jvm-flags)
mapfile -t flags < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^[[:space:]]*$/d' "$home/conf/jvm-flags")

# PoCL's LLVM replaces the JVM's signal handlers unless libjsig is preloaded
export LD_PRELOAD="$JAVA_HOME/lib/libjsig.so"
export SPARK_LOCAL_DIRS="$work/local"
host="$(hostname)"
master_url="${SPARK_MASTER_URL:-spark://master:7077}"
java=(java "${flags[@]}" -Djava.io.tmpdir="$work/tmp" -Dlog4j2.configurationFile="$home/conf/log4j2.properties")

mode="${1:-info}"
case "$mode" in
  master)
    exec "${java[@]}" -cp "$SPARK_HOME/jars/*" org.apache.spark.deploy.master.Master \
      --host "$host" --port 7077 --webui-port 8080 ;;
  worker)
    exec "${java[@]}" -cp "$SPARK_HOME/jars/*" org.apache.spark.deploy.worker.Worker \
      --host "$host" --cores "${WORKER_CORES:-1}" --memory "${WORKER_MEMORY:-2g}" \
      --work-dir "$work/worker" "$master_url" ;;
  submit)
    shift
    if [[ $# -eq 0 ]]; then
      read -r -a args <<< "${STARSPARK_ARGS:?submit needs arguments or STARSPARK_ARGS}"
      set -- "${args[@]}"
    fi
    exec "${java[@]}" -cp "$SPARK_HOME/jars/*" org.apache.spark.deploy.SparkSubmit \
      --master "$master_url" --deploy-mode client --class io.starspark.driver.Main \
      --conf spark.driver.host="$host" "$home/lib/starspark.jar" "$@" ;;
  *)
    exec "${java[@]}" -cp "$home/lib/starspark.jar:$SPARK_HOME/jars/*" io.starspark.driver.Main "$@" ;;
esac
