# Sourced by the bench scripts (needs: root). Sets flags: conf/jvm-flags, the one list of JVM flags that
# bin/starspark and the executors use, comments and blank lines dropped (the format of JvmFlags.parse).
# Also defines java_home_of JAVA: the JDK home of the java executable JAVA (a name on PATH or a path), whose
# lib/libjsig.so the scripts preload: PoCL's LLVM would otherwise replace the JVM's signal handlers (PLATFORM.md).
java_home_of() {
  dirname "$(dirname "$(readlink -f "$(command -v "$1")")")"
}
# And runnable_java JAVA: JAVA's resolved path if it is an executable that runs (`JAVA -version`), else status 1.
runnable_java() {
  local path
  path="$(command -v "$1")" && "$path" -version > /dev/null 2>&1 && readlink -f "$path"
}
mapfile -t flags < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^[[:space:]]*$/d' "$root/conf/jvm-flags")
