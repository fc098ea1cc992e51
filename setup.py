"""Build the compiled codec modules (the rest of the metadata is in pyproject.toml).

Environment switches:
``ELSCINT_DEBUG=1``  bounds-checked Cython, ``-O0 -g``, annotated HTML.
``ELSCINT_SANITIZE=1``  add ``-fsanitize=address,undefined`` (see docs/memory-safety.md).
``ELSCINT_FUZZ=1``  with clang: add ``-fsanitize=fuzzer-no-link`` (coverage for atheris).
"""

from __future__ import annotations

import os
from pathlib import Path

from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_py import build_py

DEBUG = os.environ.get("ELSCINT_DEBUG") == "1"
SANITIZE = os.environ.get("ELSCINT_SANITIZE") == "1"
FUZZ = os.environ.get("ELSCINT_FUZZ") == "1"

compile_args: list[str] = []
link_args: list[str] = []
directives = {"language_level": 3, "embedsignature": True}
if os.name != "nt":
    # -ffp-contract=off: no fused multiply-add, so that previews round exactly
    # as numpy does on every CPU (the codecs themselves use integers only).
    compile_args += ["-O0" if DEBUG else "-O3", "-ffp-contract=off"]
    if DEBUG:
        compile_args.append("-g")
    if SANITIZE:
        flags = ["-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-g"]
        if FUZZ:
            flags.append("-fsanitize=fuzzer-no-link")
        compile_args += flags
        link_args += flags
if DEBUG:
    directives.update(boundscheck=True, wraparound=True, initializedcheck=True)

_DEPENDS = {
    "_core": ["src/elscint_codec/_rle1_fast.h"],
    "_scan": ["src/elscint_codec/_records.h", "src/elscint_codec/_records.pxd"],
    "_splice": ["src/elscint_codec/_records.h", "src/elscint_codec/_records.pxd"],
}
extensions = [
    Extension(
        f"elscint_codec.{name}",
        [f"src/elscint_codec/{name}.pyx"],
        depends=_DEPENDS.get(name, []),
        extra_compile_args=compile_args,
        extra_link_args=link_args,
    )
    for name in ("_core", "_encode", "_scan", "_splice", "_syncfs", "_window")
]

# The pydicom start-up hook (docs/pydicom.md): two files that must land at the
# root of site-packages, next to the py-module _elscint_codec_autoload.
HOOK_FILES = ("elscint_codec.pth", "elscint_codec.start")
SRC = Path(__file__).resolve().parent / "src"


class BuildPyWithStartHook(build_py):
    """build_py that also copies the start-up hook files to the wheel root."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            # PEP 660 (setuptools >= 64): install_lib is the unpacked editable wheel.
            target = self.distribution.get_command_obj("install").install_lib
        else:
            target = self.build_lib
        for name in HOOK_FILES:
            self.copy_file(str(SRC / name), str(Path(target) / name))

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = list(super().get_outputs(include_bytecode))
        if getattr(self, "editable_mode", False):
            return outputs
        return outputs + [str(Path(self.build_lib) / name) for name in HOOK_FILES]


setup(
    ext_modules=cythonize(extensions, compiler_directives=directives, annotate=DEBUG),
    cmdclass={"build_py": BuildPyWithStartHook},
)
