# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""hack/collection_copy.py: what the copy holds after each kind of change to the working tree."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import subprocess
import sys

import pytest

HACK = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), 'hack')
sys.path.insert(0, HACK)

import collection_copy  # noqa: E402


def git(tree, *args):
    env = dict(os.environ, GIT_AUTHOR_NAME='t', GIT_AUTHOR_EMAIL='t@example.com', GIT_COMMITTER_NAME='t', GIT_COMMITTER_EMAIL='t@example.com')
    return subprocess.run(['git', '-C', str(tree)] + list(args), check=True, stdout=subprocess.PIPE, env=env).stdout.decode()


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def trees(tmp_path):
    src, dst = tmp_path / 'src', tmp_path / 'dst'
    src.mkdir()
    git(src, 'init', '-q')
    write(src / '.gitignore', '/out/\n*.log\n')
    write(src / 'plugins' / 'a.py', 'a = 1\n')
    write(src / 'docs' / 'old' / 'b.md', 'b\n')
    os.symlink('plugins/a.py', str(src / 'link.py'))
    git(src, 'add', '-A')
    git(src, 'commit', '-q', '-m', 'first')
    return src, dst


def test_first_copy_holds_the_tree_and_its_git(trees):
    src, dst = trees
    write(src / 'untracked.txt', 'u\n')
    write(src / 'out' / 'ignored.txt', 'i\n')
    collection_copy.mirror(str(src), str(dst))
    assert (dst / 'plugins' / 'a.py').read_text() == 'a = 1\n' and (dst / 'untracked.txt').exists()
    assert os.readlink(str(dst / 'link.py')) == 'plugins/a.py'
    assert not (dst / 'out').exists()
    assert git(dst, 'log', '--format=%s') == 'first\n' and git(dst, 'status', '--porcelain') == '?? untracked.txt\n'


def test_edits_deletions_and_commits_follow_ignored_outputs_stay(trees):
    src, dst = trees
    collection_copy.mirror(str(src), str(dst))
    write(dst / 'out' / 'result.xml', 'kept\n')
    write(dst / 'run.log', 'kept\n')
    write(src / 'plugins' / 'a.py', 'a = 2\n')  # uncommitted, same size: found by its time
    (src / 'docs' / 'old' / 'b.md').unlink()
    git(src, 'commit', '-q', '--allow-empty', '-m', 'second')
    copied, removed = collection_copy.mirror(str(src), str(dst))
    assert (copied, removed) == (1, 1)
    assert (dst / 'plugins' / 'a.py').read_text() == 'a = 2\n'
    assert not (dst / 'docs').exists()
    assert (dst / 'out' / 'result.xml').exists() and (dst / 'run.log').exists()
    assert git(dst, 'log', '-1', '--format=%s') == 'second\n'
    assert collection_copy.mirror(str(src), str(dst)) == (0, 0)


def test_stale_git_files_go_and_a_file_can_become_a_directory(trees):
    src, dst = trees
    collection_copy.mirror(str(src), str(dst))
    write(dst / '.git' / 'stale-ref', 'x\n')
    (src / 'link.py').unlink()
    write(src / 'link.py' / 'inside.py', 'now a directory\n')
    collection_copy.mirror(str(src), str(dst))
    assert not (dst / '.git' / 'stale-ref').exists()
    assert (dst / 'link.py' / 'inside.py').read_text() == 'now a directory\n'


def test_a_worktree_gitdir_file_is_copied(trees, tmp_path):
    src, dst = trees
    git(src, 'worktree', 'add', '-q', str(tmp_path / 'wt'))
    collection_copy.mirror(str(tmp_path / 'wt'), str(dst))
    assert (dst / '.git').is_file() and (dst / 'plugins' / 'a.py').exists()
    assert git(dst, 'log', '--format=%s') == 'first\n'
