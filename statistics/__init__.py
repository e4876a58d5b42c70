"""The portal's statistics app, which also stands in for the standard library's `statistics`.

The design card puts a Django app called `statistics` at the top level. Because the project's
folder comes first on sys.path, `import statistics` anywhere in the process (for example in
Django's SQLite backend, which registers `statistics.pstdev`, `stdev`, `pvariance` and `variance`
as SQL functions) finds this package instead of the standard library module. To keep both
working, this package loads the standard library's `statistics.py` from the interpreter's stdlib
folder under a private name and re-exports its public names. This file must stay free of Django
imports: it is imported by code that expects the standard library.
"""

import importlib.util as _importlib_util
import sys as _sys
import sysconfig as _sysconfig
from pathlib import Path as _Path


def _load_stdlib_statistics():
    name = "_stdlib_statistics"
    if name in _sys.modules:
        return _sys.modules[name]
    path = _Path(_sysconfig.get_paths()["stdlib"]) / "statistics.py"
    spec = _importlib_util.spec_from_file_location(name, path)
    module = _importlib_util.module_from_spec(spec)
    _sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


stdlib = _load_stdlib_statistics()
for _name in stdlib.__all__:
    globals()[_name] = getattr(stdlib, _name)
__all__ = list(stdlib.__all__)  # noqa: PLE0605
