"""The Job container's entry point: the run's staged files in, the command, results out.

A Kubernetes Job's home is an emptyDir (never a user's home), so what the portal staged
for the run (a notebook, the output folders) cannot be written into it beforehand as on
one machine. This script (its source is the container's ``python3 -c`` argument, so the
image needs no new file) copies the staged folder into the home, runs the command, and
copies the paths the portal will read back (``keep``) into the run's result folder,
links as links (never followed: the portal's reader refuses them, as on one machine).
It exits with the command's status. Standard library only: it runs in the user image.

Arguments: ``STAGED RESULT HOME KEEP_JSON -- COMMAND...``.
"""

import json
import os
import shutil
import subprocess
import sys


def copy_in(staged: str, home: str) -> None:
    """Everything staged, into the (empty) home; links stay links. Entry by entry: the
    home itself belongs to root (an emptyDir), so its mode must not be copied onto it."""
    for name in os.listdir(staged):
        source, target = os.path.join(staged, name), os.path.join(home, name)
        if os.path.isdir(source) and not os.path.islink(source):
            shutil.copytree(source, target, symlinks=True)
        elif os.path.islink(source):
            os.symlink(os.readlink(source), target)
        else:
            shutil.copyfile(source, target)


def copy_out(home: str, result: str, keep: list) -> None:
    """Each kept path (relative to the home) that exists, into ``result``; a path that
    climbs out of the home is skipped (the portal names only home paths), also through a
    link among its parent folders (the run's code could make ``outputs`` a link to a
    mounted dataset; the last component itself is kept as a link, never followed)."""
    root = os.path.realpath(home)
    for relative in keep:
        source = os.path.normpath(os.path.join(root, relative))
        parent = os.path.realpath(os.path.dirname(source))
        inside = source.startswith(root + os.sep) and (parent + os.sep).startswith(root + os.sep)
        if not inside or not os.path.lexists(source):
            continue
        target = os.path.join(result, os.path.relpath(source, root))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if os.path.isdir(source) and not os.path.islink(source):
            shutil.copytree(source, target, symlinks=True, dirs_exist_ok=True)
        elif os.path.islink(source):
            os.symlink(os.readlink(source), target)
        else:
            shutil.copyfile(source, target)


#: Exit status when the results could not be kept (EX_IOERR): nothing is in the result
#: folder then, so the portal never reads half-copied outputs as the run's.
COPY_FAILED = 74


def keep_results(home: str, result: str, keep: list) -> bool:
    """``copy_out`` into ``result/.partial`` first, then each entry moved into place
    (renames on one file system): a copy that fails (a full volume) leaves nothing in
    ``result`` but the partial folder, which the portal does not read."""
    partial = os.path.join(result, ".partial")
    try:
        os.makedirs(partial)
        copy_out(home, partial, keep)
        for name in os.listdir(partial):
            os.replace(os.path.join(partial, name), os.path.join(result, name))
        os.rmdir(partial)
    except OSError as error:
        print(f"kimed job: results not kept: {error}", file=sys.stderr)
        return False
    return True


def main(argv: list) -> int:
    """Stage in, run, keep out; the command's exit status (COPY_FAILED if the results
    could not be kept)."""
    staged, result, home, keep = argv[:4]
    command = argv[argv.index("--") + 1 :]
    copy_in(staged, home)
    status = subprocess.call(command, cwd=home)
    if not keep_results(home, result, json.loads(keep)):
        return COPY_FAILED
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
