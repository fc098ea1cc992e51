#!/usr/bin/env bash
# Install elscint-codec into fresh, plain virtual environments and check the
# promise of the pydicom plugin: after the install, plain
#     python -c "import pydicom; print(pydicom.dcmread(F).pixel_array.shape)"
# (no import of elscint_codec) prints the right shape for every generated
# sample file; with ELSCINT_CODEC_AUTOLOAD=0 it fails; after
# `pip uninstall` the start-up hook files are gone.
#
# Usage: tools/check_wheel_install.sh [MODE...]      MODE: wheel (default), editable, sdist
# Environment:
#   PYTHON         interpreter that creates the venvs (default: python3)
#   PYDICOM_SPEC   pydicom requirement installed afterwards, e.g. "pydicom==2.4.5"
#   KEEP_WORK=1    keep the scratch folder
# Needs network access to PyPI (build requirements, numpy, pydicom, tqdm).
# The source tree is copied first, so no build products land in it.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-python3}
MODES=("$@")
[ ${#MODES[@]} -eq 0 ] && MODES=(wheel)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/elscint-install.XXXXXX")
if [ "${KEEP_WORK:-0}" != 1 ]; then trap 'rm -rf "$WORK"' EXIT; fi

say() { printf '== %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
quiet() {  # run a command, show its output only when it fails
    local log="$WORK/step.log"
    "$@" > "$log" 2>&1 || { cat "$log" >&2; fail "$*"; }
}

say "copying the source tree to $WORK/tree"
mkdir "$WORK/tree"
tar -C "$ROOT" --exclude=.git --exclude=build --exclude=dist --exclude='*.egg-info' \
    --exclude='*.so' --exclude='*.pyd' --exclude='__pycache__' --exclude='.*_cache' \
    --exclude='.hypothesis' --exclude='.benchmarks' --exclude='.venv*' \
    --exclude='src/elscint_codec/_*.c' -cf - . | tar -C "$WORK/tree" -xf -

check_mode() {
    local mode=$1 venv="$WORK/venv-$1" study="$WORK/study-$1"
    say "[$mode] fresh venv"
    "$PYTHON" -m venv "$venv"
    local py="$venv/bin/python"
    quiet "$py" -m pip install --upgrade pip
    case $mode in
        wheel)
            quiet "$py" -m pip wheel --no-deps -w "$WORK/dist-wheel" "$WORK/tree"
            quiet "$py" -m pip install "$WORK"/dist-wheel/elscint_codec-*.whl ;;
        editable)
            quiet "$py" -m pip install -e "$WORK/tree" ;;
        sdist)
            quiet "$py" -m pip install build
            quiet "$py" -m build --sdist -o "$WORK/dist-sdist" "$WORK/tree"
            quiet "$py" -m pip install "$WORK"/dist-sdist/elscint_codec-*.tar.gz ;;
        *) fail "unknown mode $mode" ;;
    esac
    if [ -n "${PYDICOM_SPEC:-}" ]; then quiet "$py" -m pip install "$PYDICOM_SPEC"; fi
    local site
    site=$("$py" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
    for name in elscint_codec.pth elscint_codec.start _elscint_codec_autoload.py; do
        [ -e "$site/$name" ] || [ "$mode" = editable ] || fail "[$mode] $name not installed"
    done
    [ -e "$site/elscint_codec.pth" ] || fail "[$mode] elscint_codec.pth not in $site"
    "$py" -c "import pydicom; print('[$mode] pydicom', pydicom.__version__)"

    say "[$mode] generating sample files"
    "$py" -c "
import sys
from elscint_codec.samples import write_study
for path in write_study(sys.argv[1], seed=0, ct_slices=2, pet_slices=2, rgb=True):
    print(path)" "$study" > "$WORK/files-$mode"

    local count=0 file shape expected
    while read -r file; do
        # the command of the issue, verbatim: no import of elscint_codec
        shape=$("$py" -c "import pydicom; print(pydicom.dcmread('$file').pixel_array.shape)")
        expected=$(ELSCINT_CODEC_AUTOLOAD=0 "$py" -c "
import sys, pydicom
ds = pydicom.dcmread(sys.argv[1], stop_before_pixels=True)
print((ds.Rows, ds.Columns, 3) if ds.SamplesPerPixel == 3 else (ds.Rows, ds.Columns))" "$file")
        [ "$shape" = "$expected" ] || fail "[$mode] $file: shape $shape, expected $expected"
        printf '   %s %s\n' "$shape" "${file#"$WORK"/}"
        count=$((count + 1))
    done < "$WORK/files-$mode"
    [ "$count" -ge 5 ] || fail "[$mode] only $count sample files"

    say "[$mode] ELSCINT_CODEC_AUTOLOAD=0 switches the hook off"
    if ELSCINT_CODEC_AUTOLOAD=0 "$py" -c "
import pydicom, sys
pydicom.dcmread(sys.argv[1]).pixel_array" "$(head -n 1 "$WORK/files-$mode")" 2> "$WORK/off-$mode.err"; then
        fail "[$mode] decoded although the hook was switched off"
    fi
    grep -q NotImplementedError "$WORK/off-$mode.err" || fail "[$mode] unexpected error: $(cat "$WORK/off-$mode.err")"

    say "[$mode] uninstall removes the hook"
    "$py" -m pip uninstall -q -y elscint-codec
    local left
    left=$(cd "$site" && ls -d elscint_codec* _elscint_codec_autoload* __editable__*elscint* 2>/dev/null || true)
    [ -z "$left" ] || fail "[$mode] left behind in $site: $left"
    "$py" -c "import pydicom, sys; assert 'elscint_codec' not in sys.modules" \
        || fail "[$mode] pydicom broken after uninstall"
    say "[$mode] OK ($count files)"
}

for mode in "${MODES[@]}"; do check_mode "$mode"; done
say "all modes passed: ${MODES[*]}"
