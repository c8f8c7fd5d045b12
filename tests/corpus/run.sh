#!/usr/bin/env bash
# The heavy-tier builder corpus (tests/corpus/README.md): builds every crate of
# tests/corpus/crates.txt with `cargo wpm build`, compares each manifest with the rustdoc
# oracle, then checks expansion equivalence (native vs shim) for the crates with a user crate.
# Hours on a 2-core machine. Resumable: crates already done by the same cargo-wpm binary are
# not redone (build/corpus/rows/); `--fresh` starts over. CORPUS_ONLY=name,name@version picks
# a subset. Results: build/corpus/results.md (logs: build/corpus/logs/, run.log).
set -uo pipefail
cd "$(dirname "$0")/../.."
export WPM_CACHE_DIR="${WPM_CACHE_DIR:-$HOME/.cache/wpm}"
export CORPUS_RESUME=1
out=build/corpus
mkdir -p "$out"
if [ "${1:-}" = "--fresh" ]; then rm -rf "$out/rows"; fi
start=$(date +%s)
status=0
for test in corpus_builds corpus_expansion; do
    printf '\n==> %s (%ds)\n' "$test" "$(( $(date +%s) - start ))" >&2
    nice -n 5 cargo test -p cargo-wpm --test integration -- --ignored --nocapture --test-threads 1 "corpus::$test" \
        2>&1 | tee "$out/$test.log" || status=1
done
{
    echo "# Corpus results ($(date -u +%Y-%m-%d), $(( $(date +%s) - start )) s for this run)"
    echo
    cat "$out/builds.md" "$out/expansion.md" 2>/dev/null
} > "$out/results.md"
printf '\n==> results: %s (%ds)\n' "$out/results.md" "$(( $(date +%s) - start ))" >&2
exit $status
