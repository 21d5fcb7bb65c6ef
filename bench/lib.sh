# bench/lib.sh: helpers the benchmarks share, sourced after scripts/lib.sh

# n COUNT: COUNT scaled by SCALE, at least 1
n() { awk -v n="$1" -v s="${SCALE:-1}" 'BEGIN { v = int(n * s); print (v < 1 ? 1 : v) }'; }

# median: the median of the numbers on standard input, one per line
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
