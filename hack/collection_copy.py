# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Mirror a git working tree into another directory with the standard library and git only.

    python3 hack/collection_copy.py SOURCE DEST

Copies what `git ls-files --cached --others --exclude-standard` lists in SOURCE (tracked and untracked,
not ignored, uncommitted edits included; regular files and symlinks) and SOURCE/.git (a directory is
mirrored, a worktree's gitdir file is copied). Files the copy's own git lists that SOURCE no longer
has are deleted, so git-ignored files that tools wrote into the copy are kept. A file whose size and
modification time match is left alone; a changed one is replaced atomically (written beside, then
renamed), so a process reading the copy never sees half a file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import stat
import subprocess
import sys


def listed_files(tree):
    """Relative paths of the files git lists in tree (that exist as files or symlinks)."""
    out = subprocess.run(
        ['git', '-C', tree, 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
        check=True,
        stdout=subprocess.PIPE,
    ).stdout
    paths = set(os.fsdecode(raw) for raw in out.split(b'\0') if raw)
    return set(path for path in paths if os.path.islink(os.path.join(tree, path)) or os.path.isfile(os.path.join(tree, path)))


def same_file(src, dst, src_stat):
    try:
        dst_stat = os.lstat(dst)
    except (FileNotFoundError, NotADirectoryError):
        return False
    if stat.S_IFMT(src_stat.st_mode) != stat.S_IFMT(dst_stat.st_mode):
        return False
    if stat.S_ISLNK(src_stat.st_mode):
        return os.readlink(src) == os.readlink(dst)
    return (src_stat.st_size, src_stat.st_mtime_ns, src_stat.st_mode) == (dst_stat.st_size, dst_stat.st_mtime_ns, dst_stat.st_mode)


def make_parent(dst):
    """Create dst's directory, replacing a file that stands where a directory must be."""
    parent = os.path.dirname(dst)
    try:
        os.makedirs(parent, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        probe = parent
        while not os.path.isdir(probe):
            if os.path.lexists(probe):
                os.unlink(probe)
                break
            probe = os.path.dirname(probe)
        os.makedirs(parent, exist_ok=True)


def copy_file(src, dst):
    """Copy one file or symlink (mode and times kept) unless dst already matches; True when copied."""
    src_stat = os.lstat(src)
    if same_file(src, dst, src_stat):
        return False
    make_parent(dst)
    if os.path.isdir(dst) and not os.path.islink(dst):
        shutil.rmtree(dst)
    tmp = '%s.copy-%d~' % (dst, os.getpid())
    if stat.S_ISLNK(src_stat.st_mode):
        os.symlink(os.readlink(src), tmp)
    else:
        shutil.copy2(src, tmp)
    os.replace(tmp, dst)
    return True


def remove_file(dst):
    if os.path.lexists(dst) and not (os.path.isdir(dst) and not os.path.islink(dst)):
        os.unlink(dst)


def remove_empty_dirs(top, prune=()):
    """Remove empty directories under top, deepest first; the directories named in prune (directly
    under top) are not entered."""
    found = []
    for current, dirs, _files in os.walk(top):
        if current == top:
            dirs[:] = [name for name in dirs if name not in prune]
        found.extend(os.path.join(current, name) for name in dirs if not os.path.islink(os.path.join(current, name)))
    for path in reversed(found):
        if not os.listdir(path):
            os.rmdir(path)


def tree_files(top):
    """Relative paths of every file and symlink under top."""
    found = set()
    for current, dirs, files in os.walk(top):
        for name in files + [d for d in dirs if os.path.islink(os.path.join(current, d))]:
            found.add(os.path.relpath(os.path.join(current, name), top))
    return found


def mirror_git(src, dst):
    """SOURCE/.git into DEST/.git: a directory is mirrored (lock files left out), a gitdir file copied."""
    src_git, dst_git = os.path.join(src, '.git'), os.path.join(dst, '.git')
    if not os.path.isdir(src_git):
        if os.path.isdir(dst_git):
            shutil.rmtree(dst_git)
        copy_file(src_git, dst_git)
        return
    if os.path.lexists(dst_git) and not os.path.isdir(dst_git):
        os.unlink(dst_git)
    wanted = set(path for path in tree_files(src_git) if not path.endswith('.lock'))
    for path in wanted:
        copy_file(os.path.join(src_git, path), os.path.join(dst_git, path))
    for path in tree_files(dst_git) - wanted:
        remove_file(os.path.join(dst_git, path))
    remove_empty_dirs(dst_git)


def mirror(src, dst):
    """Mirror src's listed files and .git into dst; returns (copied, removed) counts."""
    os.makedirs(dst, exist_ok=True)
    mirror_git(src, dst)
    wanted = listed_files(src)
    copied = sum(copy_file(os.path.join(src, path), os.path.join(dst, path)) for path in sorted(wanted))
    stale = listed_files(dst) - wanted
    for path in stale:
        remove_file(os.path.join(dst, path))
    remove_empty_dirs(dst, prune=('.git',))
    return copied, len(stale)


def main(argv):
    if len(argv) != 2:
        sys.exit('usage: collection_copy.py SOURCE DEST')
    mirror(os.path.abspath(argv[0]), os.path.abspath(argv[1]))


if __name__ == '__main__':
    main(sys.argv[1:])
