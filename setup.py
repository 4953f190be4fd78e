import os
import shutil

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


# Metadata lives in pyproject.toml; this file hooks the cffi build in.
setup(cffi_modules=["build_ffi.py:ffibuilder"], cmdclass={"build_ext": build_ext_beside_sources})
