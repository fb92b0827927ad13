#!/bin/sh
# Builds the seed corpora in fuzz/corpus/<target>/ from the repository's fixtures and the
# hand-written seeds in fuzz/seeds/. The corpus folder is not committed (libFuzzer grows it);
# run this before the first `cargo +nightly fuzz run`. Safe to run again: it only adds files.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
corpus="$here/corpus"

copy() { # copy TARGET FILE...
    target=$1
    shift
    mkdir -p "$corpus/$target"
    for f in "$@"; do
        [ -f "$f" ] || continue
        # Prefix with the source folder so same-named fixtures do not overwrite each other.
        name=$(basename "$(dirname "$f")")_$(basename "$f")
        cp "$f" "$corpus/$target/$name"
    done
}

copy contract "$root"/tests/valid_contracts/* "$root"/tests/invalid_contracts/* "$root"/contracts/*.toml
copy holidays "$root"/tests/valid_holidays/* "$root"/tests/invalid_holidays/* "$root"/holidays/*.toml
copy keymap "$root"/tests/valid_keymaps/* "$root"/tests/invalid_keymaps/* "$root"/keymaps/*.toml
copy time "$here"/seeds/time/*
copy svartider "$here"/seeds/svartider/*
copy import_line "$here"/seeds/import_line/*
copy mail "$root"/tests/mail/*.eml "$root"/tests/mail/*.mbox "$root"/tests/mail/Maildir/cur/* "$root"/tests/mail/Maildir/new/*
for t in verdict add_from mail_config checkpoint db_url; do
    copy "$t" "$here"/seeds/"$t"/*
done

for t in contract holidays keymap time svartider import_line mail verdict add_from mail_config checkpoint db_url; do
    echo "$t: $(ls "$corpus/$t" | wc -l) seeds"
done
