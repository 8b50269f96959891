#!/bin/sh
# install-env.sh NAME: build the curated kernel NAME as its own venv in /opt/kernels/NAME,
# offline: only wheels from the bind-mounted wheelhouse (/wheels), every one checked
# against the sha256 in /opt/kimed/kernels/NAME/requirements.lock.
#
# The image's root is read-only when it runs, so packages a user installs with pip go to
# their home: the venv's pip.conf makes `pip install` use the prefix
# /home/jovyan/.local/kernels/NAME (one per kernel, so kernels never see each other's
# additions), and kimed_user_site.py (loaded by a .pth file at start-up) puts that prefix's
# site-packages on sys.path, after the curated packages, which therefore always win.
set -eu
name=$1
prefix=/opt/kernels/$name
lock=/opt/kimed/kernels/$name/requirements.lock

python3 -m venv "$prefix"
"$prefix/bin/pip" install --no-cache-dir --no-index --disable-pip-version-check \
    --require-hashes --find-links /wheels -r "$lock"
"$prefix/bin/pip" check

site=$("$prefix/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
cp /opt/kimed/kimed_user_site.py "$site/kimed_user_site.py"
echo "import kimed_user_site" > "$site/kimed-user-site.pth"
"$prefix/bin/python" -m compileall -q "$site/kimed_user_site.py"

cat > "$prefix/pip.conf" <<CONF
# pip inside the workbench: packages come from the workbench's package index (its URL
# and the server's token are in PIP_INDEX_URL, set by the hub) and go to the user's home.
[global]
disable-pip-version-check = true
no-input = true

[install]
prefix = /home/jovyan/.local/kernels/$name
CONF
