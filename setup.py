"""Build the compiled codec modules (the rest of the metadata is in pyproject.toml).

Environment switches:
``ELSCINT_DEBUG=1``  bounds-checked Cython, ``-O0 -g``, annotated HTML.
``ELSCINT_SANITIZE=1``  add ``-fsanitize=address,undefined`` (see docs/memory-safety.md).
"""

from __future__ import annotations

import os

from Cython.Build import cythonize
from setuptools import Extension, setup

DEBUG = os.environ.get("ELSCINT_DEBUG") == "1"
SANITIZE = os.environ.get("ELSCINT_SANITIZE") == "1"

compile_args: list[str] = []
link_args: list[str] = []
directives = {"language_level": 3, "embedsignature": True}
if os.name != "nt":
    compile_args.append("-O0" if DEBUG else "-O3")
    if DEBUG:
        compile_args.append("-g")
    if SANITIZE:
        flags = ["-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-g"]
        compile_args += flags
        link_args += flags
if DEBUG:
    directives.update(boundscheck=True, wraparound=True, initializedcheck=True)

extensions = [
    Extension(
        f"elscint_codec.{name}",
        [f"src/elscint_codec/{name}.pyx"],
        extra_compile_args=compile_args,
        extra_link_args=link_args,
    )
    for name in ("_core", "_encode")
]

setup(ext_modules=cythonize(extensions, compiler_directives=directives, annotate=DEBUG))
