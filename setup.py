import os
import shutil
import sys
import sysconfig

from setuptools import setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))


class build_ext_beside_sources(build_ext):
    """Build as usual, then also copy the extension next to the sources.

    `python -m linuxsys` and `python -m pytest` run from a checkout import ./linuxsys before the
    installed package; with the extension copied there, the checkout imports as installed.
    """

    def run(self):
        super().run()
        if self.inplace:
            return
        for ext in self.extensions:
            built = self.get_ext_fullpath(ext.name)
            target = os.path.join(HERE, *ext.name.split(".")[:-1], os.path.basename(built))
            if os.path.exists(built) and os.path.abspath(built) != target:
                shutil.copyfile(built, target)


def limited_api_tag():
    """The wheel's abi3 tag, or None when cffi won't build for the limited API.

    cffi compiles API-mode modules with Py_LIMITED_API (unversioned: the 3.2 stable ABI) and
    names them *.abi3.so, except on debug builds (sys.gettotalrefcount) and free-threaded
    builds (Py_GIL_DISABLED); the same conditions as cffi.setuptools_ext. The tag states the
    oldest Python the wheel is published for: cp310, or the building Python when older.
    """
    if sys.implementation.name != "cpython" or hasattr(sys, "gettotalrefcount"):
        return None
    if sysconfig.get_config_var("Py_GIL_DISABLED"):
        return None
    return "cp3%d" % min(sys.version_info[1], 10)


tag = limited_api_tag()
options = {"bdist_wheel": {"py_limited_api": tag}} if tag else {}

# Metadata lives in pyproject.toml; this file hooks the cffi build in.
setup(cffi_modules=["build_ffi.py:ffibuilder"], cmdclass={"build_ext": build_ext_beside_sources},
      options=options)
