# Sourced by the bench scripts (needs: root). Sets flags: conf/jvm-flags, the one list of JVM flags that
# bin/starspark and the executors use, comments and blank lines dropped (the format of JvmFlags.parse).
mapfile -t flags < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^[[:space:]]*$/d' "$root/conf/jvm-flags")
