#!/usr/bin/env bash
# Container entrypoint: master | worker | submit [ARGS] | any starspark CLI command (e.g. info).
# Mounted read-only (docker/compose.yml): the build's driver/target at /opt/starspark/driver (application jar
# and spark-home/jars) and conf/ at /opt/starspark/conf.
# master, worker and submit need STARSPARK_AUTH_SECRET (the cluster's shared secret, from the environment,
# never in the image): every connection is authenticated and encrypted (RPC and shuffle/spill files), and the
# Master's REST submission server is off. STARSPARK_BIND_ADDRESS: the interface to listen on (default: the
# address of this container's hostname, not 0.0.0.0).
set -euo pipefail

home=/opt/starspark
work="$home/work"

die() {
  echo "starspark: error: $*" >&2
  exit 2
}

# JAVA_HOME is optional: the base image may only put java on PATH
if [[ -z "${JAVA_HOME:-}" ]]; then
  java_bin="$(command -v java || true)"
  [[ -n "$java_bin" ]] || die "no java on PATH and JAVA_HOME is not set (the base image needs a Java 17 runtime)"
  JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$java_bin")")")"
fi
export JAVA_HOME

export SPARK_HOME="$home/driver/spark-home" SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_DIRS="$work/local"
jars=("$home"/driver/starspark-[0-9]*.jar)
app_jar="${jars[-1]}"
if [[ ! -f "$app_jar" || ! -d "$SPARK_HOME/jars" || ! -f "$home/conf/jvm-flags" ]]; then
  die "mount the build at $home/driver (driver/target: starspark-<version>.jar, spark-home/jars) and conf/ at" \
    "$home/conf; build first with: mvn -B -DskipTests package"
fi

# the one list of JVM flags (conf/jvm-flags)
mapfile -t flags < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^[[:space:]]*$/d' "$home/conf/jvm-flags")

# PoCL's LLVM replaces the JVM's signal handlers unless libjsig is preloaded
export LD_PRELOAD="$JAVA_HOME/lib/libjsig.so"
host="$(hostname)"
bind="${STARSPARK_BIND_ADDRESS:-$(getent hosts "$host" | awk '{print $1; exit}')}"
[[ -n "$bind" ]] || die "cannot resolve this container's hostname $host; set STARSPARK_BIND_ADDRESS"
# every server socket and web UI of Spark binds here
export SPARK_LOCAL_IP="$bind"
master_url="${SPARK_MASTER_URL:-spark://master:7077}"
java=("$JAVA_HOME/bin/java" "${flags[@]}" -Djava.io.tmpdir="$work/tmp"
  -Dlog4j2.configurationFile="$home/conf/log4j2.properties")

# Spark's settings for this container: conf/spark-defaults.conf, then the security settings with the secret.
# Written at start-up to a file only this user can read (a secret on a command line is visible in ps).
cluster_properties() {
  local secret="${STARSPARK_AUTH_SECRET:-}"
  [[ -n "$secret" ]] || die "STARSPARK_AUTH_SECRET is not set: the cluster's daemons and jobs authenticate with" \
    "this shared secret (e.g. export STARSPARK_AUTH_SECRET=\$(openssl rand -hex 32) before docker compose up)"
  [[ "$secret" != *$'\n'* ]] || die "STARSPARK_AUTH_SECRET must be one line"
  local file="$work/tmp/spark-$1.conf"
  (
    umask 077
    {
      cat "$home/conf/spark-defaults.conf"
      echo
      echo "# written by docker/entrypoint.sh: secure by default"
      echo "spark.authenticate                  true"
      echo "spark.authenticate.secret           $secret"
      echo "spark.network.crypto.enabled        true"
      echo "spark.io.encryption.enabled         true"
      echo "spark.master.rest.enabled           false"
      echo "spark.ui.killEnabled                false"
      echo "spark.executorEnv.LD_PRELOAD        $LD_PRELOAD"
    } >"$file"
  )
  echo "$file"
}

mode="${1:-info}"
case "$mode" in
  master)
    props="$(cluster_properties master)"
    exec "${java[@]}" -cp "$SPARK_HOME/jars/*" org.apache.spark.deploy.master.Master \
      --host "$host" --port 7077 --webui-port 8080 --properties-file "$props" ;;
  worker)
    props="$(cluster_properties worker)"
    exec "${java[@]}" -cp "$SPARK_HOME/jars/*" org.apache.spark.deploy.worker.Worker \
      --host "$host" --cores "${WORKER_CORES:-1}" --memory "${WORKER_MEMORY:-2g}" \
      --work-dir "$work/worker" --properties-file "$props" "$master_url" ;;
  submit)
    shift
    if [[ $# -eq 0 ]]; then
      read -r -a args <<< "${STARSPARK_ARGS:?submit needs arguments or STARSPARK_ARGS}"
      set -- "${args[@]}"
    fi
    props="$(cluster_properties submit)"
    exec "${java[@]}" -cp "$SPARK_HOME/jars/*" org.apache.spark.deploy.SparkSubmit \
      --master "$master_url" --deploy-mode client --class io.starspark.driver.Main --properties-file "$props" \
      --conf spark.driver.host="$host" --conf spark.driver.bindAddress="$bind" "$app_jar" "$@" ;;
  *)
    exec "${java[@]}" -cp "$app_jar:$SPARK_HOME/jars/*" io.starspark.driver.Main "$@" ;;
esac
