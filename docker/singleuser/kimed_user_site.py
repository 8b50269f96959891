"""Make the packages a user installed for this kernel importable.

Installed into each curated kernel's site-packages and imported by ``kimed-user-site.pth``
at interpreter start. The kernel's venv is read-only; its ``pip.conf`` makes ``pip
install`` write to ``~/.local/kernels/<kernel>/``, and this adds that prefix's
site-packages to ``sys.path`` (after the curated packages, so those always win). The
folder is created first, so that a package installed while the kernel runs can be
imported without a restart.
"""

import os
import site
import sys

_KERNEL = os.path.basename(sys.prefix)
_VERSION = f"python{sys.version_info[0]}.{sys.version_info[1]}"
USER_SITE = os.path.join(
    os.path.expanduser("~"), ".local", "kernels", _KERNEL, "lib", _VERSION, "site-packages"
)

try:
    os.makedirs(USER_SITE, exist_ok=True)
except OSError:  # a home that is not writable: nothing was installed there either
    pass
else:
    site.addsitedir(USER_SITE)
