# Sourced by the bench scripts that run the bench module's classes (needs: root). Sets cp_file, the bench module's
# runtime classpath (written by its package), and fails, one line and exit 2, when the bench is not built or was
# built without -am: Maven then takes starspark's own modules from the local repository (~/.m2), which holds whatever
# was last installed there, and the bench measures older code than the tree's.
cp_file="$root/bench/target/classpath.txt"
if [[ ! -f "$cp_file" || ! -d "$root/bench/target/classes" ]]; then
  echo "starspark: error: bench not built: run 'mvn -B -o -q -pl bench -am package -DskipTests' from $root" >&2
  exit 2
fi
if grep -q "/io/starspark/starspark-" "$cp_file"; then
  echo "starspark: error: bench built without -am (its classpath takes starspark's modules from ~/.m2, maybe older" \
    "code than the tree's): run 'mvn -B -o -q -pl bench -am package -DskipTests' from $root" >&2
  exit 2
fi
